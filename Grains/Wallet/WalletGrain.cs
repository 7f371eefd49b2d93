using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansWallet.Assets;
using OrleansWallet.Common;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Ledger.Resilience;
using OrleansWallet.Ledger.Withdrawals;

namespace OrleansWallet.Wallet;

/// <summary>
/// Thin shell around <see cref="WalletAccount"/>: loads state, applies one rule under the gate,
/// persists, answers. Reentrant so that two wallets paying each other cannot deadlock; the
/// gate keeps each change and its write together. Journal entries leave through the ledger
/// outbox (WalletGrain.LedgerOutbox.cs), off the request path.
/// </summary>
[Reentrant]
public sealed partial class WalletGrain : Grain, IWalletGrain, IWalletSettlementGrain, IRemindable
{
    private const string DriveReminderName = "drive-pending-transfers";

    private readonly IPersistentState<WalletState> _state;
    private readonly AssetCatalog _assets;
    private readonly FaultInjectionOptions _faults;
    private readonly ILogger<WalletGrain> _logger;
    private readonly AsyncGate _gate = new();
    private readonly PendingWorkReminder _reminder;
    private readonly LedgerJournal _journal;
    private readonly WithdrawalPolicy _withdrawalPolicy;
    private readonly WalletLedgerMetrics _ledgerMetrics;
    private readonly TimeProvider _time;

    /// <summary>Whether this activation has put the wallet in the directory (once per activation; idempotent).</summary>
    private bool _listedInDirectory;

    public WalletGrain(
        [PersistentState("wallet", StorageNames.Wallets)] IPersistentState<WalletState> state,
        AssetCatalog assets,
        IOptions<FaultInjectionOptions> faults,
        LedgerJournal journal,
        WithdrawalPolicy withdrawalPolicy,
        WalletLedgerMetrics ledgerMetrics,
        TimeProvider time,
        ILogger<WalletGrain> logger)
    {
        _state = state;
        _assets = assets;
        _faults = faults.Value;
        _journal = journal;
        _withdrawalPolicy = withdrawalPolicy;
        _ledgerMetrics = ledgerMetrics;
        _time = time;
        _logger = logger;
        _reminder = new PendingWorkReminder(this, DriveReminderName);
    }

    private string UserId => this.GetPrimaryKeyString();

    private WalletAccount Account => new(UserId, _state.State, _assets, _time);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Identifiers.RequireUserId(UserId);
        // Entries left by an earlier activation (or written while Postgres was down) drain now.
        AfterChange();
        if (_state.State.PendingTransfersOut.Count > 0)
        {
            // A previous activation died between a transfer's debit and its credit: finish those
            // now, off the activation path so activation itself cannot fail on a payee's silo.
            this.RegisterGrainTimer(_ => DrivePendingTransfersAsync(), TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<AssetBalance>> GetBalances()
    {
        using (await _gate.EnterAsync()) return Account.Balances();
    }

    public Task<OperationResult> CreditDeposit(CreditDeposit command) => MutateAsync(a => a.CreditDeposit(command));

    /// <summary>
    /// Checks what needs no Postgres, then has the withdrawal policy check the limit and
    /// allow-list and record the withdrawal (outside the gate: it is a Postgres call), then holds
    /// the funds. A replay is answered from the wallet's state without asking Postgres.
    /// </summary>
    public async Task<OperationResult> RequestWithdrawal(RequestWithdrawal command)
    {
        await EnsureListedAsync();
        WithdrawalPreparation preparation;
        using (await _gate.EnterAsync()) preparation = Account.PrepareWithdrawal(command);
        if (preparation.Replay is { } replay) return replay;

        await RecordWithdrawalInPolicyAsync(preparation.PolicyRequest!);
        // If the funds went elsewhere meanwhile this refuses with insufficient_funds; the policy's
        // record stays pending and keeps counting towards today's limit (erring towards less outflow).
        return await MutateAsync(a => a.RequestWithdrawal(command));
    }

    private async Task RecordWithdrawalInPolicyAsync(WithdrawalRequest request)
    {
        WithdrawalDecision decision;
        try
        {
            decision = await _withdrawalPolicy.RecordWithdrawalAsync(request);
        }
        catch (DependencyUnavailableException ex)
        {
            throw new WalletException(ErrorCodes.LedgerUnavailable,
                $"the withdrawal limit and allow-list cannot be checked now ({ex.Dependency}: {ex.Reason}); nothing was changed");
        }
        catch (ArgumentException)
        {
            // The policy knows this id with another amount or address: the wallet refused or lost
            // an earlier request with this key that the policy had already recorded.
            throw new WalletException(ErrorCodes.IdempotencyConflict,
                $"withdrawal_id '{request.WithdrawalId}' was already used for a different withdrawal");
        }
        if (!decision.IsAllowed)
            throw new WalletException(WithdrawalRefusalCode(decision.Reason!), decision.Detail ?? decision.Reason!);
    }

    private static string WithdrawalRefusalCode(string policyReason) => policyReason switch
    {
        WithdrawalRejection.AddressInvalid => ErrorCodes.AddressInvalid,
        WithdrawalRejection.AddressChecksum => ErrorCodes.AddressChecksum,
        WithdrawalRejection.AddressNotAllowlisted => ErrorCodes.AddressNotAllowlisted,
        WithdrawalRejection.ChainMismatch => ErrorCodes.ChainMismatch,
        WithdrawalRejection.DailyLimitExceeded => ErrorCodes.DailyLimitExceeded,
        WithdrawalRejection.UnknownUser => ErrorCodes.UnknownUser,
        WithdrawalRejection.AssetDisabled => ErrorCodes.AssetDisabled,
        // The catalog knows the asset but the ledger's asset table does not: refuse it as unknown.
        WithdrawalRejection.UnknownAsset => ErrorCodes.AssetUnknown,
        _ => throw new InvalidOperationException($"withdrawal policy gave an unknown reason '{policyReason}'"),
    };

    public Task<OperationResult> CompleteWithdrawal(string withdrawalId) => MutateAsync(a => a.CompleteWithdrawal(withdrawalId));

    public Task<OperationResult> FailWithdrawal(string withdrawalId) => MutateAsync(a => a.FailWithdrawal(withdrawalId));

    public Task<OperationResult> ReceiveTransfer(IncomingTransfer transfer) => MutateAsync(a => a.ReceiveTransfer(transfer));

    public Task<OperationResult> PlaceHold(PlaceHold command) => MutateAsync(a => a.PlaceHold(command));

    public Task<OperationResult> SettleFill(SettleFill command) => MutateAsync(a => a.SettleFill(command));

    public Task<OperationResult> ReleaseHold(string orderId) => MutateAsync(a => a.ReleaseHold(orderId));

    public async Task<OperationResult> Transfer(TransferFunds command)
    {
        var key = WalletAccount.TransferKey(command.Key);
        TransferStart start;
        await EnsureListedAsync();
        using (await _gate.EnterAsync())
        {
            // Validate and look for a replay before touching the reminder table.
            start = Account.BeginTransfer(command);
            if (start.Completed is { } completed) return completed;
            if (start.IsNew)
            {
                // The reminder exists before the intent does, so a crash right after the write
                // below still leaves something that will wake this wallet and finish the transfer.
                await _reminder.EnsureRegisteredAsync();
                await PersistAsync();
            }
        }
        FaultInjectionOptions.CrashIf(_faults.CrashAfterTransferDebit, "after transfer debit");
        return await DeliverTransferAsync(key, start.Pending!);
    }

    private async Task<OperationResult> DeliverTransferAsync(string key, PendingTransfer pending)
    {
        try
        {
            var payee = GrainFactory.GetGrain<IWalletSettlementGrain>(pending.ToUserId);
            await payee.ReceiveTransfer(new IncomingTransfer(UserId, WalletAccount.ClientKeyOf(key), pending.Asset, pending.Amount));
        }
        catch (Exception ex) when (ex is not WalletException)
        {
            _logger.LogWarning(ex, "Transfer {Key} from {User} to {Payee}: credit leg not delivered yet; will retry",
                key, UserId, pending.ToUserId);
            throw new WalletException(ErrorCodes.OperationInProgress,
                "the transfer is debited and its credit is being delivered; retry with the same idempotency_key to get the result");
        }
        OperationResult result;
        using (await _gate.EnterAsync())
        {
            result = Account.CompleteTransfer(key);
            if (!result.Replayed) await PersistAsync();
        }
        AfterChange();
        return result;
    }

    private async Task DrivePendingTransfersAsync()
    {
        List<KeyValuePair<string, PendingTransfer>> pending;
        using (await _gate.EnterAsync()) pending = _state.State.PendingTransfersOut.ToList();
        foreach (var (key, transfer) in pending)
        {
            try
            {
                await DeliverTransferAsync(key, transfer);
                _logger.LogInformation("Transfer {Key} from {User} completed by recovery", key, UserId);
            }
            catch (WalletException ex)
            {
                _logger.LogWarning("Transfer {Key} from {User} still pending: {Reason}", key, UserId, ex.Message);
            }
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DriveReminderName) return;
        await DrivePendingTransfersAsync();
        bool idle;
        using (await _gate.EnterAsync()) idle = _state.State.PendingTransfersOut.Count == 0;
        // Unregister lazily, on a tick that finds nothing to do, so a busy wallet does not pay a
        // reminder write per transfer.
        if (idle) await _reminder.UnregisterAsync();
    }

    private async Task<OperationResult> MutateAsync(Func<WalletAccount, OperationResult> apply)
    {
        await EnsureListedAsync();
        OperationResult result;
        using (await _gate.EnterAsync())
        {
            result = apply(Account);
            if (!result.Replayed) await PersistAsync();
        }
        AfterChange();
        return result;
    }

    /// <summary>Puts the wallet in the directory before its first change, so reconciliation finds every wallet.</summary>
    private async Task EnsureListedAsync()
    {
        if (_listedInDirectory) return;
        await GrainFactory.GetGrain<IWalletDirectoryGrain>(IWalletDirectoryGrain.ShardOf(UserId)).Register(UserId);
        _listedInDirectory = true;
    }

    /// <summary>
    /// Writes the state; on failure puts back the last persisted state so memory never holds an
    /// unacknowledged change, and tells the caller to retry with the same key.
    /// </summary>
    private Task PersistAsync() => StateRecovery.WriteOrRestoreAsync(_state, this, _logger);
}
