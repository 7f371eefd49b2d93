using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>State of one partition this silo reads, as of the last read and the last broker query.</summary>
public enum KafkaPartitionStatus
{
    /// <summary>Reading; nothing waits longer than <see cref="KafkaStreamOptions.StuckPartitionAfterMs"/>.</summary>
    Healthy,

    /// <summary>Messages wait on the broker and none was handed to Orleans for <see cref="KafkaStreamOptions.StuckPartitionAfterMs"/>.</summary>
    Stuck,

    /// <summary>Stopped at a message it cannot decode (<see cref="KafkaPoisonMessageHandling.StopPartition"/>).</summary>
    Stopped,

    /// <summary>A dead letter cannot be written; the partition does not move past its message until it is.</summary>
    DeadLetterPending,
}

/// <summary>One owned partition's health and figures; null where not known yet.</summary>
public sealed record KafkaPartitionHealth(
    int Partition,
    KafkaPartitionStatus Status,
    string? Problem,
    long? HighWatermark,
    long? CommittedOffset,
    long? NextOffsetToHandOver,
    long? CommittedLag,
    long? UnreadMessages,
    TimeSpan? SinceLastRead,
    TimeSpan? SinceLastPoll,
    long DeadLettered,
    long ConsumeErrors,
    string? LastError);

/// <summary>
/// Health of one Kafka stream provider on this silo: one entry per partition it reads now. Registered
/// by <c>AddKafkaStreams</c> as a keyed singleton under the provider name; <see cref="KafkaStreamHealthCheck"/>
/// turns it into a readiness check.
/// </summary>
public sealed class KafkaStreamHealth : IDisposable
{
    private readonly ConcurrentDictionary<int, KafkaPartitionState> _partitions = new();
    private readonly TimeProvider _timeProvider;

    internal KafkaStreamHealth(string providerName, string topic, TimeSpan stuckAfter, TimeProvider timeProvider)
    {
        ProviderName = providerName;
        Topic = topic;
        StuckAfter = stuckAfter;
        _timeProvider = timeProvider;
    }

    public string ProviderName { get; }

    public string Topic { get; }

    /// <summary>How long messages may wait unread before the partition counts as stuck.</summary>
    public TimeSpan StuckAfter { get; }

    /// <summary>The partitions this silo reads now, each with its status.</summary>
    public IReadOnlyList<KafkaPartitionHealth> GetPartitions()
    {
        var now = _timeProvider.GetTimestamp();
        return _partitions.Values.OrderBy(p => p.Partition).Select(p => p.Snapshot(now, _timeProvider, StuckAfter)).ToList();
    }

    internal KafkaPartitionState Open(int partition)
    {
        var state = new KafkaPartitionState(partition, _timeProvider.GetTimestamp());
        _partitions[partition] = state;
        return state;
    }

    internal void Close(KafkaPartitionState state) => _partitions.TryRemove(new KeyValuePair<int, KafkaPartitionState>(state.Partition, state));

    internal IEnumerable<KafkaPartitionState> OpenPartitions => _partitions.Values;

    /// <summary>Stops reporting this provider's partitions in the metrics (the container disposes it with the silo).</summary>
    public void Dispose() => KafkaStreamMetrics.Unregister(this);
}

/// <summary>Mutable per-partition figures, written by the receiver and the broker monitor.</summary>
internal sealed class KafkaPartitionState(int partition, long openedTimestamp)
{
    private readonly Lock _lock = new();
    private long _lastHandOverTimestamp = openedTimestamp;
    private long _lastPollTimestamp = openedTimestamp;
    private long _nextOffsetToHandOver = -1;
    private long _highWatermark = -1;
    private long _committed = -1;
    private long _lowWatermark = -1;
    private long _deadLettered;
    private long _consumeErrors;
    private string? _lastError;
    private string? _stoppedReason;
    private string? _deadLetterPendingReason;

    public int Partition { get; } = partition;

    public void Polled(long timestamp) => Volatile.Write(ref _lastPollTimestamp, timestamp);

    public void HandedOver(long nextOffset, long timestamp)
    {
        Volatile.Write(ref _nextOffsetToHandOver, nextOffset);
        Volatile.Write(ref _lastHandOverTimestamp, timestamp);
    }

    /// <summary>Where reading starts or resumes; nothing was handed over from before it.</summary>
    public void Positioned(long nextOffset) => Volatile.Write(ref _nextOffsetToHandOver, nextOffset);

    public long NextOffsetToHandOver => Volatile.Read(ref _nextOffsetToHandOver);

    public void BrokerFigures(long lowWatermark, long highWatermark, long committed)
    {
        Volatile.Write(ref _lowWatermark, lowWatermark);
        Volatile.Write(ref _highWatermark, highWatermark);
        Volatile.Write(ref _committed, committed);
    }

    public void DeadLettered() => Interlocked.Increment(ref _deadLettered);

    public void ConsumeError(string error)
    {
        Interlocked.Increment(ref _consumeErrors);
        lock (_lock) _lastError = error;
    }

    public void Error(string error)
    {
        lock (_lock) _lastError = error;
    }

    public void Stopped(string reason)
    {
        lock (_lock) _stoppedReason = reason;
    }

    public void DeadLetterPending(string? reason)
    {
        lock (_lock) _deadLetterPendingReason = reason;
    }

    public KafkaPartitionHealth Snapshot(long now, TimeProvider time, TimeSpan stuckAfter)
    {
        string? stopped, pending, lastError;
        lock (_lock) (stopped, pending, lastError) = (_stoppedReason, _deadLetterPendingReason, _lastError);
        var high = Known(Volatile.Read(ref _highWatermark));
        var committed = Known(Volatile.Read(ref _committed));
        var next = Known(Volatile.Read(ref _nextOffsetToHandOver));
        var sinceRead = time.GetElapsedTime(Volatile.Read(ref _lastHandOverTimestamp), now);
        var sincePoll = time.GetElapsedTime(Volatile.Read(ref _lastPollTimestamp), now);
        // Before the first hand-over, reading starts at the committed offset (or the log start without one).
        var position = next ?? committed ?? Known(Volatile.Read(ref _lowWatermark));
        long? unread = high is { } h && position is { } n ? Math.Max(0, h - n) : null;
        long? lag = high is { } h2 ? Math.Max(0, h2 - (committed ?? 0)) : null;
        var (status, problem) = stopped is not null ? (KafkaPartitionStatus.Stopped, $"stopped: {stopped}")
            : pending is not null ? (KafkaPartitionStatus.DeadLetterPending, $"waiting to write a dead letter: {pending}")
            : unread > 0 && sinceRead > stuckAfter ? (KafkaPartitionStatus.Stuck, $"{unread} messages wait and none was read for {sinceRead.TotalSeconds:F0} s (last poll {sincePoll.TotalSeconds:F0} s ago)")
            : (KafkaPartitionStatus.Healthy, (string?)null);
        return new KafkaPartitionHealth(Partition, status, problem, high, committed, next, lag, unread, sinceRead, sincePoll,
            Interlocked.Read(ref _deadLettered), Interlocked.Read(ref _consumeErrors), lastError);
    }

    private static long? Known(long value) => value >= 0 ? value : null;
}

/// <summary>
/// Readiness check over <see cref="KafkaStreamHealth"/>: unhealthy while any partition this silo reads
/// is stuck, stopped, or waiting to write a dead letter. Register with <see cref="Registration"/>.
/// </summary>
public sealed class KafkaStreamHealthCheck(KafkaStreamHealth health) : IHealthCheck
{
    /// <summary>
    /// A registration for <c>services.AddHealthChecks().Add(...)</c> of the provider named <paramref name="providerName"/>.
    /// <paramref name="failureStatus"/> is what a problem reports: a host whose main work does not depend
    /// on the stream can stay in service with <see cref="HealthStatus.Degraded"/>.
    /// </summary>
    public static HealthCheckRegistration Registration(string providerName, IEnumerable<string>? tags = null,
        HealthStatus failureStatus = HealthStatus.Unhealthy) =>
        new($"kafka-streams-{providerName}",
            services => new KafkaStreamHealthCheck(Microsoft.Extensions.DependencyInjection.ServiceProviderKeyedServiceExtensions.GetRequiredKeyedService<KafkaStreamHealth>(services, providerName)),
            failureStatus, tags);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var partitions = health.GetPartitions();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var partition in partitions)
        {
            data[$"partition-{partition.Partition}"] = partition;
        }

        var problems = partitions.Where(p => p.Status != KafkaPartitionStatus.Healthy).Select(p => $"{health.Topic}[{p.Partition}] {p.Problem}").ToList();
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy($"Kafka stream provider '{health.ProviderName}': {partitions.Count} partitions of {health.Topic} read here, all healthy.", data)
            : new HealthCheckResult(context.Registration?.FailureStatus ?? HealthStatus.Unhealthy,
                $"Kafka stream provider '{health.ProviderName}': {string.Join("; ", problems)}", data: data));
    }
}
