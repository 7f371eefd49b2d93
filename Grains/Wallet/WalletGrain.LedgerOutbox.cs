using Microsoft.Extensions.Logging;
using OrleansWallet.Common;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Ledger.Resilience;

namespace OrleansWallet.Wallet;

/// <summary>
/// The wallet's ledger outbox: journal entries (and withdrawal status changes) persisted with the
/// balance change that made them, written to Postgres by a grain timer off the request path.
/// Entry ids are deterministic, so re-sending a batch after a failure writes nothing twice.
/// While Postgres is down the entries stay (the breaker makes each retry cheap) and drain when it
/// is back; the outbox's bound is <see cref="WalletAccount.LedgerOutboxEntriesMax"/>.
/// </summary>
public sealed partial class WalletGrain
{
    /// <summary>
    /// 500 ms between flushes while the outbox holds anything: entries of a busy wallet batch up
    /// (appends of 50+ operations cost a fraction of single ones) while the journal trails the
    /// balances by under a second. The first flush after a quiet spell starts at once.
    /// </summary>
    private static readonly TimeSpan FlushPeriod = TimeSpan.FromMilliseconds(500);

    private readonly AsyncGate _flushGate = new();
    private IGrainTimer? _flushTimer;
    private bool _ledgerUnreachableLogged;

    public async Task<WalletLedgerStatus> GetLedgerStatus()
    {
        using (await _gate.EnterAsync()) return LedgerStatus();
    }

    public async Task<WalletLedgerStatus> FlushLedger()
    {
        try
        {
            await FlushOutboxAsync();
        }
        catch (DependencyUnavailableException ex)
        {
            throw new WalletException(ErrorCodes.LedgerUnavailable,
                $"the ledger database cannot take this wallet's entries now ({ex.Dependency}: {ex.Reason}); they stay in its outbox");
        }
        using (await _gate.EnterAsync()) return LedgerStatus();
    }

    public async Task<WalletLedgerSnapshot> GetLedgerSnapshot()
    {
        using (await _gate.EnterAsync())
        {
            var account = Account;
            var unflushed = account.LedgerOutbox
                .Select(e => new UnflushedLedgerEntry(e.UserId, e.Asset, e.BucketName, e.Amount)).ToList();
            return new WalletLedgerSnapshot(account.Balances(), unflushed, LedgerStatus());
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _ledgerMetrics.Forget(UserId);
        return Task.CompletedTask;
    }

    private WalletLedgerStatus LedgerStatus() => new(
        _state.State.LedgerOutbox.Count, _state.State.WithdrawalStatusOutbox.Count, _state.State.PendingTransfersOut.Count);

    /// <summary>After every change: report the outbox depth and make sure a flush is coming if there is work.</summary>
    private void AfterChange()
    {
        var state = _state.State;
        _ledgerMetrics.Report(UserId, state.LedgerOutbox.Count, state.WithdrawalStatusOutbox.Count);
        if (_flushTimer is not null || (state.LedgerOutbox.Count == 0 && state.WithdrawalStatusOutbox.Count == 0)) return;
        _flushTimer = this.RegisterGrainTimer(FlushTickAsync, new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.Zero,
            Period = FlushPeriod,
            // Calls keep interleaving with a flush (the grain is reentrant anyway), and the
            // activation stays alive until the outbox is empty.
            Interleave = true,
            KeepAlive = true,
        });
    }

    private async Task FlushTickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushOutboxAsync();
            if (_ledgerUnreachableLogged)
            {
                _logger.LogInformation("Wallet {User}: ledger reachable again; outbox drained", UserId);
                _ledgerUnreachableLogged = false;
            }
        }
        catch (DependencyUnavailableException ex)
        {
            // Expected during an outage, every tick: log the first only.
            if (!_ledgerUnreachableLogged)
                _logger.LogWarning("Wallet {User}: ledger unavailable ({Reason}); {Count} entries wait in the outbox",
                    UserId, ex.Reason, _state.State.LedgerOutbox.Count);
            _ledgerUnreachableLogged = true;
        }
        catch (Exception ex)
        {
            // A rejected batch (a bug: unbalanced or conflicting entries) stays for an operator; reconcile shows it.
            _logger.LogError(ex, "Wallet {User}: ledger outbox flush failed", UserId);
        }
        finally
        {
            var state = _state.State;
            _ledgerMetrics.Report(UserId, state.LedgerOutbox.Count, state.WithdrawalStatusOutbox.Count);
            // Checked and disposed in one synchronous step, so a change that adds entries either
            // sees the timer still set or finds it gone and registers a new one.
            if (state.LedgerOutbox.Count == 0 && state.WithdrawalStatusOutbox.Count == 0 && _flushTimer is not null)
            {
                _flushTimer.Dispose();
                _flushTimer = null;
            }
        }
    }

    /// <summary>
    /// Writes the outbox in batches of whole operations (at most the journal's batch size), each
    /// removed and persisted once Postgres has it, then the withdrawal status changes. One flush
    /// at a time; the wallet's gate is held only to remove and persist, never across Postgres.
    /// </summary>
    private async Task FlushOutboxAsync()
    {
        using (await _flushGate.EnterAsync())
        {
            while (LedgerOutboxBatch.Take(_state.State.LedgerOutbox, LedgerLimits.AppendBatchEntriesMax) is { Count: > 0 } batch)
            {
                await _journal.AppendAsync(batch.Select(e => e.ToLedgerEntry()).ToList());
                using (await _gate.EnterAsync())
                {
                    Account.RemoveJournaled(batch.Select(e => e.EntryId).ToHashSet(StringComparer.Ordinal));
                    await PersistAsync();
                }
            }
            foreach (var update in _state.State.WithdrawalStatusOutbox.ToList())
            {
                await RecordWithdrawalStatusAsync(update);
                using (await _gate.EnterAsync())
                {
                    Account.RemoveWithdrawalStatusUpdate(update);
                    await PersistAsync();
                }
            }
        }
    }

    private async Task RecordWithdrawalStatusAsync(WithdrawalStatusUpdate update)
    {
        try
        {
            if (update.Completed) await _withdrawalPolicy.CompleteWithdrawalAsync(update.PolicyWithdrawalId);
            else await _withdrawalPolicy.FailWithdrawalAsync(update.PolicyWithdrawalId);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            // Never recorded (requested before the policy existed) or already final the other way:
            // retrying cannot change that, and the wallet's money state is already right.
            _logger.LogError(ex, "Wallet {User}: withdrawal {Id} status not recorded by the policy; dropped",
                UserId, update.PolicyWithdrawalId);
        }
    }
}
