using Microsoft.Extensions.Logging;
using OrleansWallet.Ledger.Resilience;

namespace OrleansWallet.Wallet;

/// <summary>
/// The wallet's ledger surface for reconciliation and operators: how much of its journal work is
/// still with the silo's writer, and a way to wait for it. The writing itself is the writer's.
/// </summary>
public sealed partial class WalletGrain
{
    /// <summary>
    /// How long <see cref="FlushLedger"/> waits for the writer: below the grain call timeout (5 s),
    /// so a slow journal is reported as such instead of as a timed-out call.
    /// </summary>
    private static readonly TimeSpan FlushWaitMax = TimeSpan.FromSeconds(4);

    public Task<WalletLedgerStatus> GetLedgerStatus() => Task.FromResult(LedgerStatus());

    public async Task<WalletLedgerStatus> FlushLedger()
    {
        await RecordDeliveredAsync();
        if (_outbox.Rejection is not null)
        {
            // An operator's flush (reconcile, history) tries a refused wallet again, from the
            // start: whatever the journal refused may have been fixed since. Refused again, it says so.
            _outbox.Dispose();
            _outbox = _writer.Register(UserId);
        }
        var target = Committed.LastSequence;
        _outbox.Publish(Committed);
        try
        {
            await _outbox.WaitJournaledAsync(target).WaitAsync(FlushWaitMax, _time);
        }
        catch (DependencyUnavailableException ex)
        {
            throw new WalletException(ErrorCodes.LedgerUnavailable,
                $"the ledger database cannot take this wallet's entries now ({ex.Dependency}: {ex.Reason}); they stay in its outbox");
        }
        catch (InvalidOperationException refused)
        {
            throw new WalletException(ErrorCodes.LedgerUnavailable, refused.Message);
        }
        catch (Exception ex) when (ex is TimeoutException or ObjectDisposedException)
        {
            throw new WalletException(ErrorCodes.LedgerUnavailable, $"this wallet's entries are not all in the ledger yet: {ex.Message}");
        }
        return LedgerStatus();
    }

    public Task<WalletLedgerSnapshot> GetLedgerSnapshot()
    {
        var unflushed = _outbox.UnjournaledEntries
            .Select(e => new UnflushedLedgerEntry(e.UserId, e.Asset, e.BucketName, e.Amount)).ToList();
        return Task.FromResult(new WalletLedgerSnapshot(Account(Committed).Balances(), unflushed, LedgerStatus()));
    }

    private WalletLedgerStatus LedgerStatus()
    {
        var journaled = _outbox.JournaledThrough;
        return new WalletLedgerStatus(
            _outbox.UnjournaledEntryCount,
            Committed.WithdrawalStatusOutbox.Count(u => u.Sequence > journaled),
            Committed.PendingTransfersOut.Keys.Count(k => !_delivered.ContainsKey(k)),
            _outbox.Rejection);
    }
}
