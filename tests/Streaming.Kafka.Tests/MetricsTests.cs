using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orleans.Runtime;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>The instruments the Prometheus exporter will read report what the provider did.</summary>
public sealed class MetricsTests
{
    private const string Topic = "wallet-events-metrics";
    private const int UserCount = 10;
    private const int EventsPerUser = 20;
    private const int EventCount = UserCount * EventsPerUser;
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Produced_consumed_latency_and_lag_are_reported_per_topic()
    {
        ReceivedEvents.Clear();
        var totals = new ConcurrentDictionary<string, double>();
        var lagPartitions = new ConcurrentDictionary<int, long>();
        var unreadPartitions = new ConcurrentDictionary<int, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == KafkaStreamMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (!HasTopic(tags))
            {
                return;
            }

            if (instrument.Name == KafkaStreamMetrics.ConsumerLagName)
            {
                lagPartitions[(int)Tag(tags, "partition")!] = value;
            }
            else if (instrument.Name == KafkaStreamMetrics.UnreadName)
            {
                unreadPartitions[(int)Tag(tags, "partition")!] = value;
            }
            else if (instrument.Name == KafkaStreamMetrics.UnhealthyName)
            {
                totals.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
            }
            else
            {
                totals.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
            }
        });
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (HasTopic(tags))
            {
                totals.AddOrUpdate(instrument.Name + ".count", 1, (_, count) => count + 1);
            }
        });
        listener.Start();

        await using var broker = await KafkaMockBroker.StartAsync();
        await broker.CreateTopicAsync(Topic);
        var cluster = KafkaTestCluster.Builder(1, broker.BootstrapServers, Topic, "metrics-group").Build();
        await cluster.DeployAsync();
        try
        {
            var provider = cluster.Client.GetStreamProvider(TestStreams.ProviderName);
            await Task.WhenAll(Enumerable.Range(0, UserCount).Select(async i =>
            {
                var stream = provider.GetStream<WalletTestEvent>(StreamId.Create(TestStreams.Namespace, $"metrics-user-{i}"));
                for (var sequence = 1; sequence <= EventsPerUser; sequence++)
                {
                    await stream.OnNextAsync(WalletTestEvent.For($"metrics-user-{i}", sequence));
                }
            }));
            await Eventually.HoldsAsync(() => ReceivedEvents.DistinctCount() == EventCount, DeliveryTimeout,
                () => $"{ReceivedEvents.DistinctCount()} of {EventCount} delivered");
            await Eventually.HoldsAsync(() =>
                {
                    listener.RecordObservableInstruments();
                    // Figures come from the broker (high watermark, committed offset), not from the reads.
                    return unreadPartitions.Count == KafkaMockBroker.PartitionCount && unreadPartitions.Values.All(unread => unread == 0)
                        && lagPartitions.Count == KafkaMockBroker.PartitionCount;
                },
                DeliveryTimeout, () => $"unread per partition: {string.Join(", ", unreadPartitions.Select(p => $"{p.Key}={p.Value}"))}");
            // Committed offsets trail delivery by what the cache has not purged yet (at most the cache size).
            Assert.All(lagPartitions.Values, lag => Assert.InRange(lag, 0, KafkaTestCluster.CacheSizeMessages));

            totals.TryRemove(KafkaStreamMetrics.UnhealthyName, out _);
            listener.RecordObservableInstruments();
            Assert.Equal(0, totals.GetValueOrDefault(KafkaStreamMetrics.UnhealthyName));
            Assert.Equal(EventCount, totals.GetValueOrDefault(KafkaStreamMetrics.ProducedName));
            Assert.Equal(EventCount, totals.GetValueOrDefault(KafkaStreamMetrics.ProduceDurationName + ".count"));
            Assert.Equal(0, totals.GetValueOrDefault(KafkaStreamMetrics.ProduceErrorsName));
            Assert.Equal(EventCount, totals.GetValueOrDefault(KafkaStreamMetrics.ConsumedName));
            // The mock's warm-up message that created the topic is not a provider event: it is dead-lettered, not skipped.
            Assert.Equal(1, totals.GetValueOrDefault(KafkaStreamMetrics.DeadLetteredName));
            Assert.Equal(0, totals.GetValueOrDefault(KafkaStreamMetrics.ConsumeErrorsName));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static bool HasTopic(ReadOnlySpan<KeyValuePair<string, object?>> tags) => Equals(Tag(tags, "topic"), Topic);

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value;
            }
        }

        return null;
    }
}
