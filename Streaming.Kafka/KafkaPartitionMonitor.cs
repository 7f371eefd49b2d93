using Confluent.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Microsoft.Extensions.Logging;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Asks the broker, every <see cref="KafkaStreamOptions.HealthCheckIntervalMs"/>, for the high watermark
/// and the group's committed offset of each partition this silo reads. Its own consumer (which never
/// reads or commits) keeps the figures moving when a receiver's consumer or its pulling agent is stuck:
/// that is exactly when they matter.
/// </summary>
internal sealed partial class KafkaPartitionMonitor(KafkaStreamOptions options, KafkaStreamHealth health, ILogger logger) : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Task? _loop;

    public void EnsureStarted()
    {
        lock (_lock)
        {
            if (_loop is null && !_stopping.IsCancellationRequested)
            {
                _loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
        }
    }

    /// <summary>One round of broker queries; the loop runs it each interval, tests may call it directly.</summary>
    internal void QueryOnce(IConsumer<byte[], byte[]> monitor)
    {
        var partitions = health.OpenPartitions.ToList();
        if (partitions.Count == 0)
        {
            return;
        }

        var timeout = TimeSpan.FromMilliseconds(Math.Min(options.HealthCheckIntervalMs, options.MetadataTimeoutMs));
        var topicPartitions = partitions.Select(p => new TopicPartition(options.Topic, new Partition(p.Partition))).ToList();
        var committed = monitor.Committed(topicPartitions, timeout).ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
        foreach (var partition in partitions)
        {
            var watermarks = monitor.QueryWatermarkOffsets(new TopicPartition(options.Topic, new Partition(partition.Partition)), timeout);
            partition.BrokerFigures(watermarks.Low.Value, watermarks.High.Value, committed.GetValueOrDefault(partition.Partition, -1));
        }
    }

    private void Run()
    {
        using var monitor = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Monitor(options))
            .SetErrorHandler((_, error) => LogMonitorError(logger, health.ProviderName, error.Code, error.Reason))
            .Build();
        var interval = TimeSpan.FromMilliseconds(options.HealthCheckIntervalMs);
        do
        {
            try
            {
                QueryOnce(monitor);
            }
            catch (KafkaException exception)
            {
                // Figures age; the stuck check still sees the time since the last read.
                LogQueryFailed(logger, health.ProviderName, exception.Error.Code, exception.Error.Reason);
            }
        }
        while (!_stopping.Token.WaitHandle.WaitOne(interval));
    }

    public void Dispose()
    {
        _stopping.Cancel();
        Task? loop;
        lock (_lock) loop = _loop;
        loop?.Wait(TimeSpan.FromMilliseconds(options.MetadataTimeoutMs));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': partition health query failed ({Code}: {Reason}).")]
    private static partial void LogQueryFailed(ILogger logger, string provider, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kafka stream provider '{Provider}': health monitor consumer reports {Code}: {Reason}.")]
    private static partial void LogMonitorError(ILogger logger, string provider, ErrorCode code, string reason);
}
