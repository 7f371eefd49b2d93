using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// The provider's instruments, on the Meter <see cref="MeterName"/>. Every measurement is tagged
/// <c>provider</c> and <c>topic</c>; consumer-side ones also <c>partition</c>.
/// </summary>
public static class KafkaStreamMetrics
{
    /// <summary>Name of the <see cref="Meter"/> to listen to (OpenTelemetry / prometheus-net).</summary>
    public const string MeterName = "OrleansWallet.Streaming.Kafka";

    /// <summary>Counter: events the broker acknowledged.</summary>
    public const string ProducedName = "orleanswallet.kafka.stream.produced";

    /// <summary>Counter: events whose produce failed (the publisher got an exception).</summary>
    public const string ProduceErrorsName = "orleanswallet.kafka.stream.produce.errors";

    /// <summary>Histogram (ms): time from produce call to broker acknowledgement.</summary>
    public const string ProduceDurationName = "orleanswallet.kafka.stream.produce.duration";

    /// <summary>Counter: events read from Kafka and handed to Orleans.</summary>
    public const string ConsumedName = "orleanswallet.kafka.stream.consumed";

    /// <summary>Counter: errors the consumer reported while reading (the messages read so far are kept).</summary>
    public const string ConsumeErrorsName = "orleanswallet.kafka.stream.consume.errors";

    /// <summary>Counter: messages written to the dead-letter topic; tag <c>reason</c> (<see cref="KafkaDeadLetterReasons"/>).</summary>
    public const string DeadLetteredName = "orleanswallet.kafka.stream.dead_lettered";

    /// <summary>Observable gauge: the broker's high watermark minus the group's committed offset, per owned partition.</summary>
    public const string ConsumerLagName = "orleanswallet.kafka.stream.consumer.lag";

    /// <summary>Observable gauge: the broker's high watermark minus the next offset to hand to Orleans, per owned partition.</summary>
    public const string UnreadName = "orleanswallet.kafka.stream.partition.unread";

    /// <summary>Observable gauge (s): time since the receiver last handed a message to Orleans, per owned partition.</summary>
    public const string SinceLastReadName = "orleanswallet.kafka.stream.partition.since_last_read";

    /// <summary>Observable gauge: 1 when the partition is unhealthy (stuck, stopped, or a dead letter cannot be written), else 0.</summary>
    public const string UnhealthyName = "orleanswallet.kafka.stream.partition.unhealthy";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<KafkaStreamHealth, byte> HealthSources = new();

    internal static readonly Counter<long> Produced = Meter.CreateCounter<long>(ProducedName, "{event}", "Events acknowledged by Kafka.");
    internal static readonly Counter<long> ProduceErrors = Meter.CreateCounter<long>(ProduceErrorsName, "{event}", "Events that failed to produce.");
    internal static readonly Histogram<double> ProduceDuration = Meter.CreateHistogram<double>(ProduceDurationName, "ms", "Produce call to broker acknowledgement.");
    internal static readonly Counter<long> Consumed = Meter.CreateCounter<long>(ConsumedName, "{event}", "Events read from Kafka.");
    internal static readonly Counter<long> ConsumeErrors = Meter.CreateCounter<long>(ConsumeErrorsName, "{error}", "Errors reported by the consumer while reading.");
    internal static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>(DeadLetteredName, "{message}", "Messages written to the dead-letter topic.");

    static KafkaStreamMetrics()
    {
        Meter.CreateObservableGauge(ConsumerLagName, () => Observe(p => p.CommittedLag), "{message}", "High watermark minus the committed offset.");
        Meter.CreateObservableGauge(UnreadName, () => Observe(p => p.UnreadMessages), "{message}", "High watermark minus the next offset to hand to Orleans.");
        Meter.CreateObservableGauge(SinceLastReadName, () => ObserveDouble(p => p.SinceLastRead?.TotalSeconds), "s", "Time since a message was last handed to Orleans.");
        Meter.CreateObservableGauge(UnhealthyName, () => Observe(p => p.Status == KafkaPartitionStatus.Healthy ? 0 : 1), "{partition}", "1 when the partition is stuck, stopped or cannot write a dead letter.");
    }

    internal static TagList ProducerTags(string provider, string topic) => new() { { "provider", provider }, { "topic", topic } };

    internal static TagList PartitionTags(string provider, string topic, int partition) =>
        new() { { "provider", provider }, { "topic", topic }, { "partition", partition } };

    internal static TagList ReasonTags(string provider, string topic, int partition, string reason) =>
        new() { { "provider", provider }, { "topic", topic }, { "partition", partition }, { "reason", reason } };

    internal static void Register(KafkaStreamHealth health) => HealthSources[health] = 0;

    internal static void Unregister(KafkaStreamHealth health) => HealthSources.TryRemove(health, out _);

    private static IEnumerable<Measurement<long>> Observe(Func<KafkaPartitionHealth, long?> value)
    {
        foreach (var health in HealthSources.Keys)
        {
            foreach (var partition in health.GetPartitions())
            {
                if (value(partition) is { } measured)
                {
                    yield return new Measurement<long>(measured, PartitionTags(health.ProviderName, health.Topic, partition.Partition));
                }
            }
        }
    }

    private static IEnumerable<Measurement<double>> ObserveDouble(Func<KafkaPartitionHealth, double?> value)
    {
        foreach (var health in HealthSources.Keys)
        {
            foreach (var partition in health.GetPartitions())
            {
                if (value(partition) is { } measured)
                {
                    yield return new Measurement<double>(measured, PartitionTags(health.ProviderName, health.Topic, partition.Partition));
                }
            }
        }
    }
}
