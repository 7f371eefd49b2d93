using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Storage;
using OrleansWallet.Assets;
using OrleansWallet.Common;
using OrleansWallet.Common.PendingWork;
using OrleansWallet.Ledger.Resilience;
using OrleansWallet.Ledger.Withdrawals;
using OrleansWallet.Storage;
using OrleansWallet.Wallet.Outbox;
using OrleansWallet.Wallet.PendingTransfers;

namespace OrleansWallet.Wallet;

/// <summary>
/// Thin shell around <see cref="WalletAccount"/>. Each change is applied to a copy of the committed
/// state, written to Redis, and only then becomes the grain's state; only then do its answer, its
/// journal entries (through the silo's <see cref="LedgerOutboxWriter"/>) and a transfer's credit
/// leg leave the grain. A failed write leaves the committed state as it was, so memory never holds
/// what storage does not. Reentrant, so two wallets paying each other cannot deadlock; the gate
/// keeps each change and its write together and is never held across a call to another grain.
/// Reads answer from the committed state without waiting for the gate.
/// </summary>
[Reentrant]
public sealed partial class WalletGrain : Grain, IWalletGrain, IWalletSettlementGrain, IRemindable
{
    /// <summary>The reminder earlier versions registered per wallet; one still in the table is settled and dropped.</summary>
    private const string LegacyDriveReminderName = "drive-pending-transfers";

    private readonly IPersistentState<WalletState> _state;
    private readonly AssetCatalog _assets;
    private readonly FaultInjectionOptions _faults;
    private readonly LedgerOutboxWriter _writer;
    private readonly OperationArchive _archive;
    private readonly DepositClaims _depositClaims;
    private readonly WalletDirectory _directory;
    private readonly WithdrawalPolicy _withdrawalPolicy;
    private readonly TimeProvider _time;
    private readonly ILogger<WalletGrain> _logger;
    private readonly IPendingTransferIndex _pendingTransfers;
    private readonly AsyncGate _gate = new();

    /// <summary>Transfers whose payee confirmed the credit, with their answers; recorded in the state by the next write.</summary>
    private readonly Dictionary<string, OperationResult> _delivered = new(StringComparer.Ordinal);

    private WalletOutboxHandle _outbox = null!;

    /// <summary>
    /// The state storage holds. Kept apart from <c>_state.State</c>, which holds the draft while its
    /// write is in flight: a read interleaving with that write must not see a change that may fail.
    /// </summary>
    private WalletState _committed = null!;

    /// <summary>Counts commits that moved answers out of the state into the archive: a lookup made before one must be made again.</summary>
    private long _trimEpoch;

    /// <summary>A write found storage changed behind this activation (ETag conflict): reload before the next change.</summary>
    private bool _stale;

    /// <summary>Whether this activation has put the wallet in the directory (idempotent; once per activation at most).</summary>
    private bool _listed;

    /// <summary>Whether this activation has entered the wallet in the pending-transfer index and not taken it out since (under the gate).</summary>
    private bool _indexed;

    public WalletGrain(
        [PersistentState("wallet", StorageNames.Wallets)] IPersistentState<WalletState> state,
        AssetCatalog assets,
        IOptions<FaultInjectionOptions> faults,
        LedgerOutboxWriter writer,
        OperationArchive archive,
        DepositClaims depositClaims,
        WalletDirectory directory,
        WithdrawalPolicy withdrawalPolicy,
        IPendingTransferIndex pendingTransfers,
        TimeProvider time,
        ILogger<WalletGrain> logger)
    {
        _state = state;
        _assets = assets;
        _faults = faults.Value;
        _writer = writer;
        _archive = archive;
        _depositClaims = depositClaims;
        _directory = directory;
        _withdrawalPolicy = withdrawalPolicy;
        _pendingTransfers = pendingTransfers;
        _time = time;
        _logger = logger;
    }

    private string UserId => this.GetPrimaryKeyString();

    /// <summary>The state storage holds; never changed in place.</summary>
    private WalletState Committed => _committed;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Identifiers.RequireUserId(UserId);
        _committed = _state.State;
        _outbox = _writer.Register(UserId);
        // Whatever an earlier activation left unwritten (or wrote while Postgres was down) goes now.
        _outbox.Publish(Committed);
        if (Committed.PendingTransfersOut.Count > 0) DriveSoon();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _outbox.Dispose();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AssetBalance>> GetBalances() => Task.FromResult(Account(Committed).Balances());

    public async Task<OperationResult> CreditDeposit(CreditDeposit command)
    {
        var asset = Account(Committed).ValidateDeposit(command);
        string[] keys = [WalletKeys.Deposit(command.TxId)];
        var claim = await SideDataCalls.OrStorageUnavailable(() => _depositClaims.ClaimAsync(asset.Chain, command.TxId, UserId, WalletAccount.DepositFingerprint(command)));
        if (claim == DepositClaim.Conflict)
            throw new WalletException(ErrorCodes.IdempotencyConflict,
                $"tx_id '{command.TxId}' on {asset.Chain} was already credited to another wallet or with other terms");
        // A first claim means no wallet ever credited this tx: nothing to look up in the archive.
        var lookup = claim == DepositClaim.First ? new ArchiveLookup(_trimEpoch, EmptyArchive) : await LookupAsync(keys);
        return await MutateAsync(keys, lookup, a => a.CreditDeposit(command));
    }

    /// <summary>
    /// Checks what needs no Postgres, then has the withdrawal policy check the limit and
    /// allow-list and record the withdrawal (outside the gate: it is a Postgres call), then holds
    /// the funds. A replay is answered from the wallet without asking Postgres.
    /// </summary>
    public async Task<OperationResult> RequestWithdrawal(RequestWithdrawal command)
    {
        string[] keys = [WalletKeys.Withdrawal(Identifiers.RequireKey(command.WithdrawalId, "withdrawal_id"))];
        var lookup = await LookupAsync(keys);
        var preparation = Account(Committed, lookup.Found).PrepareWithdrawal(command);
        if (preparation.Replay is { } replay) return replay;

        await RecordWithdrawalInPolicyAsync(preparation.PolicyRequest!);
        // If the funds went elsewhere meanwhile this refuses with insufficient_funds; the policy's
        // record stays pending and keeps counting towards today's limit (erring towards less outflow).
        return await MutateAsync(keys, lookup, a => a.RequestWithdrawal(command));
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

    public Task<OperationResult> CompleteWithdrawal(string withdrawalId) =>
        MutateAsync(WalletAccount.WithdrawalSettlementKeys(Identifiers.RequireKey(withdrawalId, "withdrawal_id")),
            a => a.CompleteWithdrawal(withdrawalId));

    public Task<OperationResult> FailWithdrawal(string withdrawalId) =>
        MutateAsync(WalletAccount.WithdrawalSettlementKeys(Identifiers.RequireKey(withdrawalId, "withdrawal_id")),
            a => a.FailWithdrawal(withdrawalId));

    public Task<OperationResult> ReceiveTransfer(IncomingTransfer transfer) =>
        MutateAsync([WalletKeys.TransferIn(Identifiers.RequireUserId(transfer.FromUserId, "from_user_id"),
            Identifiers.RequireKey(transfer.Key, "idempotency_key"))], a => a.ReceiveTransfer(transfer));

    public Task<OperationResult> PlaceHold(PlaceHold command) =>
        MutateAsync([WalletKeys.Hold(Identifiers.RequireOrderId(command.OrderId))], a => a.PlaceHold(command));

    public Task<OperationResult> SettleFill(SettleFill command) =>
        MutateAsync([WalletKeys.Fill(Identifiers.RequireOrderId(command.OrderId), Identifiers.RequireKey(command.FillId, "fill_id"))],
            a => a.SettleFill(command));

    public Task<OperationResult> ReleaseHold(string orderId) =>
        MutateAsync([WalletKeys.Release(Identifiers.RequireOrderId(orderId))], a => a.ReleaseHold(orderId));

    private async Task<OperationResult> MutateAsync(string[] keys, Func<WalletAccount, OperationResult> apply) =>
        await MutateAsync(keys, await LookupAsync(keys), apply);

    private async Task<OperationResult> MutateAsync(string[] keys, ArchiveLookup lookup, Func<WalletAccount, OperationResult> apply)
    {
        using (await _gate.EnterAsync())
        {
            lookup = await RefreshAsync(keys, lookup);
            var draft = NewDraft();
            var result = apply(Account(draft.State, lookup.Found));
            if (result.Replayed) return result;
            await CommitAsync(draft);
            return result;
        }
    }

    /// <summary>
    /// Debits this wallet and records the intent to credit the payee in one write, then delivers
    /// the credit. The wallet is in the pending-transfer index, which finishes an interrupted
    /// transfer, before the intent exists.
    /// </summary>
    public async Task<OperationResult> Transfer(TransferFunds command)
    {
        string[] keys = [WalletKeys.Transfer(Identifiers.RequireKey(command.Key, "idempotency_key"))];
        var lookup = await LookupAsync(keys);
        TransferStart start;
        using (await _gate.EnterAsync())
        {
            lookup = await RefreshAsync(keys, lookup);
            var draft = NewDraft();
            start = Account(draft.State, lookup.Found).BeginTransfer(command);
            if (start.Completed is { } completed) return completed;
            if (start.IsNew)
            {
                // If entering the index fails, the draft is dropped: nothing was debited.
                await EnsureIndexedAsync();
                await CommitAsync(draft);
            }
        }
        FaultInjectionOptions.CrashIf(_faults.CrashAfterTransferDebit, "after transfer debit");
        var result = await DeliverTransferAsync(start.Key, start.Pending!);
        // An intent this call did not record was recorded by an earlier attempt with this key (an
        // acknowledged transfer whose completion the wallet had not written yet when its silo
        // died, or an interrupted one): answering it is a replay, as for every other operation.
        return start.IsNew ? result : result with { Replayed = true };
    }

    private async Task<OperationResult> DeliverTransferAsync(string key, PendingTransfer pending)
    {
        if (_delivered.TryGetValue(key, out var delivered)) return delivered;
        try
        {
            var payee = GrainFactory.GetGrainByKey<IWalletSettlementGrain>(pending.ToUserId);
            await payee.ReceiveTransfer(new IncomingTransfer(UserId, WalletKeys.ClientKeyOfTransfer(key), pending.Asset, pending.Amount));
        }
        catch (WalletException refused) when (refused.Kind is not ErrorKind.Unavailable)
        {
            // The payee can never accept it (an asset it no longer keeps, a balance at 2^256-1, a
            // key it knows with other terms): give the money back rather than strand it.
            throw await RefundAsync(key, refused);
        }
        catch (Exception ex)
        {
            LogCreditNotDelivered(ex, key, UserId, pending.ToUserId);
            throw new WalletException(ErrorCodes.OperationInProgress,
                "the transfer is debited and its credit is being delivered; retry with the same idempotency_key to get the result");
        }
        // Both legs are in storage now; the intent becomes the answer in this wallet's next write.
        var result = new OperationResult(key, pending.Balance, Replayed: false);
        _delivered[key] = result;
        return result;
    }

    private async Task<WalletException> RefundAsync(string key, WalletException payeeRefusal)
    {
        using (await _gate.EnterAsync())
        {
            await EnsureFreshAsync();
            var draft = NewDraft();
            if (!draft.State.PendingTransfersOut.ContainsKey(key))
            {
                // Settled meanwhile by another attempt: a retry is answered from what was recorded.
                return new WalletException(ErrorCodes.OperationInProgress,
                    "the transfer was settled by another attempt; retry with the same idempotency_key to get the result");
            }
            var refusal = Account(draft.State).RefundTransfer(key, payeeRefusal);
            await CommitAsync(draft);
            LogTransferRefunded(key, UserId, payeeRefusal.Code);
            return refusal;
        }
    }

    /// <summary>Delivers every intent not yet confirmed, then records the confirmed ones in one write.</summary>
    private async Task DrivePendingTransfersAsync()
    {
        foreach (var (key, transfer) in Committed.PendingTransfersOut.ToList())
        {
            try
            {
                await DeliverTransferAsync(key, transfer);
            }
            catch (WalletException ex)
            {
                LogTransferStillPending(key, UserId, ex.Message);
            }
        }
        await RecordDeliveredAsync();
    }

    /// <summary>Writes the confirmed transfers' answers now instead of with the next change.</summary>
    private async Task RecordDeliveredAsync()
    {
        if (_delivered.Count == 0) return;
        using (await _gate.EnterAsync())
        {
            await EnsureFreshAsync();
            var draft = NewDraft();
            if (draft.Folded.Count > 0) await CommitAsync(draft);
        }
    }

    private void DriveSoon() =>
        // Off the activation path, so activation itself cannot fail on a payee's silo.
        this.RegisterGrainTimer(async _ =>
        {
            try { await DrivePendingTransfersAsync(); }
            catch (WalletException ex) { LogTransferStillPending("*", UserId, ex.Message); }
        }, TimeSpan.Zero, Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Enters the wallet in the pending-transfer index unless this activation has; under the gate,
    /// as its removal is. A failure refuses the transfer before anything was recorded.
    /// </summary>
    private async Task EnsureIndexedAsync()
    {
        if (_indexed) return;
        await _pendingTransfers.EnterBeforeRecordingAsync(UserId, "this transfer");
        _indexed = true;
    }

    public async Task SettlePendingTransfers()
    {
        await DrivePendingTransfersAsync();
        using (await _gate.EnterAsync())
        {
            // Under the gate, as entering is: no transfer can record an intent between the check and the removal.
            await EnsureFreshAsync();
            if (Committed.PendingTransfersOut.Count > 0)
            {
                await _pendingTransfers.PostponeAsync(UserId);
                return;
            }
            // Forgotten first: if the removal fails, the next transfer enters again (a spare entry
            // costs one sweep; a missing one would strand an intent).
            _indexed = false;
            await _pendingTransfers.RemoveAsync(UserId);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != LegacyDriveReminderName) return;
        await DrivePendingTransfersAsync();
        using (await _gate.EnterAsync())
        {
            // The index takes over what is still owed before the reminder goes.
            if (Committed.PendingTransfersOut.Count > 0) await EnsureIndexedAsync();
        }
        if (await this.GetReminder(LegacyDriveReminderName) is { } reminder) await this.UnregisterReminder(reminder);
    }

    /// <summary>A copy of the committed state to change, with confirmed transfers already recorded in it.</summary>
    private Draft NewDraft()
    {
        var state = Committed.Clone();
        var folded = new List<string>();
        foreach (var key in _delivered.Keys)
        {
            if (!state.PendingTransfersOut.ContainsKey(key)) continue;
            Account(state).CompleteTransfer(key);
            folded.Add(key);
        }
        return new Draft(state, folded);
    }

    /// <summary>
    /// Writes the draft; on success it becomes the committed state and its outbox is published.
    /// On failure the committed state stays as it was and the caller is told to retry with the same key.
    /// </summary>
    private async Task CommitAsync(Draft draft)
    {
        var account = Account(draft.State);
        var archivedAny = account.Trim(_outbox.JournaledThrough, _outbox.ArchivedThrough);
        if (account.FindInvariantViolation() is { } violation)
            throw new InvalidOperationException($"wallet {UserId}: {violation}; the change was not written");

        await EnsureListedAsync();
        _state.State = draft.State;
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            _state.State = _committed;
            // A conflict means storage moved on without us (a write we were told failed did land, or
            // another activation wrote): reload before the next change. Other failures may or may
            // not have landed; the next write finds out by its ETag.
            if (ex is InconsistentStateException) _stale = true;
            LogWriteFailed(ex, UserId);
            throw new WalletException(ErrorCodes.StorageUnavailable,
                "storage is unavailable; nothing was changed unless a retry with the same key says so");
        }
        _committed = draft.State;
        if (archivedAny) _trimEpoch++;
        foreach (var key in draft.Folded) _delivered.Remove(key);
        _outbox.Publish(draft.State);
    }

    /// <summary>Reloads after a conflict; the outbox handle starts over, since the reloaded state's sequence numbers are not ours.</summary>
    private async Task EnsureFreshAsync()
    {
        if (!_stale) return;
        try
        {
            await _state.ReadStateAsync();
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, UserId);
            throw new WalletException(ErrorCodes.StorageUnavailable, "storage is unavailable; nothing was changed, retry with the same key");
        }
        _committed = _state.State;
        _stale = false;
        _trimEpoch++;
        _outbox.Dispose();
        _outbox = _writer.Register(UserId);
        _outbox.Publish(Committed);
        if (Committed.PendingTransfersOut.Count > 0) DriveSoon();
    }

    /// <summary>Under the gate: reloads if needed, and redoes the archive lookup if answers left the state since it was made.</summary>
    private async Task<ArchiveLookup> RefreshAsync(string[] keys, ArchiveLookup lookup)
    {
        await EnsureFreshAsync();
        return lookup.Epoch == _trimEpoch ? lookup : await LookupAsync(keys);
    }

    /// <summary>
    /// What the archive holds for the keys the committed state does not: needed only once answers
    /// have left the state (<see cref="WalletState.ArchiveInUse"/>), and then one Redis round trip.
    /// </summary>
    private async Task<ArchiveLookup> LookupAsync(string[] keys)
    {
        var epoch = _trimEpoch;
        var committed = Committed;
        if (!committed.ArchiveInUse) return new ArchiveLookup(epoch, EmptyArchive);
        var missing = keys.Where(k => !committed.Unarchived.Exists(r => r.Key == k)).ToList();
        if (missing.Count == 0) return new ArchiveLookup(epoch, EmptyArchive);
        return new ArchiveLookup(epoch, await SideDataCalls.OrStorageUnavailable(() => _archive.FindAsync(UserId, missing)));
    }

    /// <summary>
    /// Puts a new wallet in the directory right before its first write (not on a refused request),
    /// so reconciliation finds every wallet that has state.
    /// </summary>
    private async Task EnsureListedAsync()
    {
        if (_listed || _state.RecordExists) return;
        await SideDataCalls.OrStorageUnavailable(() => _directory.RegisterAsync(UserId));
        _listed = true;
    }

    private WalletAccount Account(WalletState state, IReadOnlyDictionary<string, OperationRecord>? archived = null) =>
        new(UserId, state, _assets, _time, archived);

    private static readonly IReadOnlyDictionary<string, OperationRecord> EmptyArchive =
        new Dictionary<string, OperationRecord>(StringComparer.Ordinal);

    private sealed record Draft(WalletState State, IReadOnlyList<string> Folded);

    private readonly record struct ArchiveLookup(long Epoch, IReadOnlyDictionary<string, OperationRecord> Found);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wallet {User}: state write failed")]
    private partial void LogWriteFailed(Exception exception, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer {Key} from {User} to {Payee}: credit leg not delivered yet; will retry")]
    private partial void LogCreditNotDelivered(Exception exception, string key, string user, string payee);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer {Key} from {User} still pending: {Reason}")]
    private partial void LogTransferStillPending(string key, string user, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transfer {Key} from {User} refused by the payee ({Reason}); refunded")]
    private partial void LogTransferRefunded(string key, string user, string reason);
}
