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

    /// <summary>Counter: messages skipped because they are not events of this provider (see logs).</summary>
    public const string ConsumeSkippedName = "orleanswallet.kafka.stream.consume.skipped";

    /// <summary>Observable gauge: messages behind the partition's high watermark, per owned partition.</summary>
    public const string ConsumerLagName = "orleanswallet.kafka.stream.consumer.lag";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<object, Func<Measurement<long>?>> LagSources = new();

    internal static readonly Counter<long> Produced = Meter.CreateCounter<long>(ProducedName, "{event}", "Events acknowledged by Kafka.");
    internal static readonly Counter<long> ProduceErrors = Meter.CreateCounter<long>(ProduceErrorsName, "{event}", "Events that failed to produce.");
    internal static readonly Histogram<double> ProduceDuration = Meter.CreateHistogram<double>(ProduceDurationName, "ms", "Produce call to broker acknowledgement.");
    internal static readonly Counter<long> Consumed = Meter.CreateCounter<long>(ConsumedName, "{event}", "Events read from Kafka.");
    internal static readonly Counter<long> ConsumeSkipped = Meter.CreateCounter<long>(ConsumeSkippedName, "{message}", "Messages that are not events of this provider.");

    static KafkaStreamMetrics()
    {
        Meter.CreateObservableGauge(ConsumerLagName, ObserveLag, "{message}", "High watermark minus the receiver's position.");
    }

    internal static TagList ProducerTags(string provider, string topic) => new() { { "provider", provider }, { "topic", topic } };

    internal static TagList PartitionTags(string provider, string topic, int partition) =>
        new() { { "provider", provider }, { "topic", topic }, { "partition", partition } };

    /// <summary>Reports a receiver's lag until the returned handle is disposed.</summary>
    internal static IDisposable RegisterLagSource(Func<Measurement<long>?> observe)
    {
        var handle = new LagRegistration();
        LagSources[handle] = observe;
        return handle;
    }

    private static IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var source in LagSources.Values)
        {
            if (source() is { } measurement)
            {
                yield return measurement;
            }
        }
    }

    private sealed class LagRegistration : IDisposable
    {
        public void Dispose() => LagSources.TryRemove(this, out _);
    }
}
