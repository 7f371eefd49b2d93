using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace OrleansWallet.Common.PendingWork;

/// <summary>
/// One per silo and kind of work: every <see cref="PendingWorkOptions.SweepInterval"/> it wakes the
/// grains that stayed in the <see cref="IPendingWorkIndex"/> longer than the grace period, in the
/// index shards that fall to this silo (shard mod the number of active silos = this silo's rank
/// among them). Woken, a grain finishes what it still has and leaves the index, or stays and is
/// postponed. Silos that disagree on membership for a moment sweep a shard twice or not at all for
/// one round: harmless both ways, a grain finishes idempotently and the next round comes.
/// Replaces a reminder per grain (a reminder-table write on the request path, a timer per grain in
/// memory, a tick and an unregistration write later) with one timer per silo.
/// </summary>
public abstract partial class PendingWorkSweeper : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly IPendingWorkIndex _index;
    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _localSilo;
    private readonly PendingWorkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _work;
    private readonly Counter<long> _woken;
    private readonly Counter<long> _failed;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <param name="work">What is swept, for logs and metric descriptions ("transfers", "orders").</param>
    /// <param name="metricPrefix">The sweep's counters are <c>{metricPrefix}.sweep.woken</c> and <c>.failed</c>.</param>
    protected PendingWorkSweeper(string work, string metricPrefix, IPendingWorkIndex index, IClusterMembershipService membership,
        ILocalSiloDetails localSilo, PendingWorkOptions options, TimeProvider time, IMeterFactory meterFactory, ILogger logger)
    {
        _work = work;
        _index = index;
        _membership = membership;
        _localSilo = localSilo;
        _options = options;
        _time = time;
        _logger = logger;
        // The meter of the wallet and order grains' own instruments.
        var meter = meterFactory.Create(Wallet.Outbox.LedgerOutboxWriter.MeterName);
        _woken = meter.CreateCounter<long>($"{metricPrefix}.sweep.woken", unit: "{grain}",
            description: $"Grains the pending-{work} sweep woke to finish or clear their work");
        _failed = meter.CreateCounter<long>($"{metricPrefix}.sweep.failed", unit: "{grain}",
            description: $"Grains the pending-{work} sweep could not reach or that failed to finish (retried next round)");
    }

    /// <summary>Wakes one grain: it finishes what it can and takes itself out of the index, or postpones itself.</summary>
    protected abstract Task WakeAsync(string id);

    public void Participate(ISiloLifecycle lifecycle) =>
        // Active: grain calls work, and the silo is in the membership its rank is taken from.
        lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, StartAsync, StopAsync);

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
                LogSweepFailed(ex, _work);
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
            // A grain woken this round has left the index or was postponed past dueBefore; one that
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
                    async (id, _) =>
                    {
                        try
                        {
                            await WakeAsync(id);
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
        // One line a round, not one per grain: a silo down can leave thousands unfinished.
        if (firstFailure is not null) LogNotFinished(_work, failed, woken, firstFailure.GetType().Name, firstFailure.Message);
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
        return Enumerable.Range(0, PendingWorkIndex.ShardCount).Where(s => s % active.Count == rank);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pending-{Work} sweep failed; next round in one interval")]
    private partial void LogSweepFailed(Exception exception, string work);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pending-{Work} sweep: {Failed} did not finish ({Woken} did); next round. First error {Error}: {Reason}")]
    private partial void LogNotFinished(string work, int failed, int woken, string error, string reason);
}
