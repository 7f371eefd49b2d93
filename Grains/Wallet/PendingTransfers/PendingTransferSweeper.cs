using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansWallet.Wallet.PendingTransfers;

/// <summary>
/// One per silo: every <see cref="PendingTransferOptions.SweepInterval"/> it wakes the wallets
/// that stayed in the <see cref="IPendingTransferIndex"/> longer than the grace period, in the
/// index shards that fall to this silo (shard mod the number of active silos = this silo's rank
/// among them). Woken, a wallet delivers what it still owes and leaves the index, or stays and is
/// postponed. Silos that disagree on membership for a moment sweep a shard twice or not at all for
/// one round: harmless both ways, a wallet settles idempotently and the next round comes.
/// Replaces a reminder per wallet (a reminder-table write on the transfer path and a timer per
/// wallet in memory) with one timer per silo.
/// </summary>
public sealed partial class PendingTransferSweeper : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly IPendingTransferIndex _index;
    private readonly IGrainFactory _grains;
    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _localSilo;
    private readonly PendingTransferOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PendingTransferSweeper> _logger;
    private readonly Counter<long> _woken;
    private readonly Counter<long> _failed;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public PendingTransferSweeper(IPendingTransferIndex index, IGrainFactory grains, IClusterMembershipService membership,
        ILocalSiloDetails localSilo, IOptions<PendingTransferOptions> options, TimeProvider time, IMeterFactory meterFactory,
        ILogger<PendingTransferSweeper> logger)
    {
        _index = index;
        _grains = grains;
        _membership = membership;
        _localSilo = localSilo;
        _options = options.Value;
        _time = time;
        _logger = logger;
        var meter = meterFactory.Create(Outbox.LedgerOutboxWriter.MeterName);
        _woken = meter.CreateCounter<long>("wallet.transfers.sweep.woken", unit: "{wallet}",
            description: "Wallets the pending-transfer sweep woke to finish or clear their transfers");
        _failed = meter.CreateCounter<long>("wallet.transfers.sweep.failed", unit: "{wallet}",
            description: "Wallets the pending-transfer sweep could not reach or that failed to settle (retried next round)");
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        // Active: grain calls work, and the silo is in the membership its rank is taken from.
        lifecycle.Subscribe(nameof(PendingTransferSweeper), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Jittered, so silos started together do not hit Redis in step.
                await Task.Delay(_options.SweepInterval * (0.75 + Random.Shared.NextDouble() / 2), _time, stopping);
                await SweepAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Redis down, most likely: the index stays as it is and the next round tries again.
                LogSweepFailed(ex);
            }
        }
    }

    /// <summary>One round over this silo's shards.</summary>
    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var woken = 0;
        var failed = 0;
        Exception? firstFailure = null;
        var dueBefore = _time.GetUtcNow() - _options.Grace;
        foreach (var shard in OwnedShards())
        {
            // A wallet woken this round has left the index or was postponed past dueBefore; one that
            // could not be reached keeps its place at the head. So ask for a page more than this
            // round has seen, skip what it has seen, and stop at a page that is not full.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (!cancellationToken.IsCancellationRequested)
            {
                var requested = _options.BatchSize + seen.Count;
                var due = await _index.DueAsync(shard, dueBefore, requested);
                var fresh = due.Where(seen.Add).ToList();
                await Parallel.ForEachAsync(fresh,
                    new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = cancellationToken },
                    async (userId, _) =>
                    {
                        try
                        {
                            await _grains.GetGrainByKey<IWalletSettlementGrain>(userId).SettlePendingTransfers();
                            Interlocked.Increment(ref woken);
                            _woken.Add(1);
                        }
                        catch (Exception ex)
                        {
                            Interlocked.Increment(ref failed);
                            Interlocked.CompareExchange(ref firstFailure, ex, null);
                            _failed.Add(1);
                        }
                    });
                if (fresh.Count == 0 || due.Count < requested) break;
            }
        }
        // One line a round, not one per wallet: a payee silo down can leave thousands unsettled.
        if (firstFailure is not null) LogWalletsNotSettled(failed, woken, firstFailure.GetType().Name, firstFailure.Message);
    }

    /// <summary>The shards whose number mod the active silo count is this silo's rank among the active silos.</summary>
    private IEnumerable<int> OwnedShards()
    {
        var active = _membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .OrderBy(a => a.ToParsableString(), StringComparer.Ordinal)
            .ToList();
        var rank = active.IndexOf(_localSilo.SiloAddress);
        if (rank < 0) return [];
        return Enumerable.Range(0, PendingTransferIndex.ShardCount).Where(s => s % active.Count == rank);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pending-transfer sweep failed; next round in one interval")]
    private partial void LogSweepFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pending-transfer sweep: {Failed} wallets did not settle ({Woken} did); next round. First error {Error}: {Reason}")]
    private partial void LogWalletsNotSettled(int failed, int woken, string error, string reason);
}
