using System.Collections.Concurrent;
using System.Text;
using Orleans;
using Orleans.Runtime;
using Orleans.Streams;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

public interface IFailingSubscriberGrain : IGrainWithStringKey
{
}

/// <summary>Implicit subscriber that throws on every event listed in <see cref="Poisoned"/>, and records the others.</summary>
[ImplicitStreamSubscription(FailingSubscriberTests.Namespace)]
public sealed class FailingSubscriberGrain : Grain, IFailingSubscriberGrain
{
    public static readonly ConcurrentDictionary<string, int> Poisoned = new(StringComparer.Ordinal);
    public static readonly ConcurrentQueue<WalletTestEvent> Accepted = new();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = this.GetStreamProvider(TestStreams.ProviderName)
            .GetStream<WalletTestEvent>(StreamId.Create(FailingSubscriberTests.Namespace, this.GetPrimaryKeyString()));
        await stream.SubscribeAsync((streamEvent, _) =>
        {
            if (Poisoned.ContainsKey(streamEvent.EventId))
            {
                Poisoned.AddOrUpdate(streamEvent.EventId, 1, (_, attempts) => attempts + 1);
                throw new InvalidOperationException($"subscriber refuses {streamEvent.EventId}");
            }

            Accepted.Enqueue(streamEvent);
            return Task.CompletedTask;
        });
    }
}

/// <summary>
/// Issue #11, point 2: an event a subscriber keeps failing on is retried (Orleans' delivery retries, for
/// MaxEventDeliveryTime) and then written to the dead-letter topic before the partition moves past it;
/// the stream's later events still reach the subscriber.
/// </summary>
public sealed class FailingSubscriberTests
{
    public const string Namespace = "wallet-events-failing";
    private const string Topic = "wallet-events-failing-subscriber";
    private const string UserId = "failing-user";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_failing_subscribers_event_is_retried_then_dead_lettered_and_later_events_flow()
    {
        FailingSubscriberGrain.Poisoned.Clear();
        FailingSubscriberGrain.Accepted.Clear();
        var poisoned = WalletTestEvent.For(UserId, 3);
        FailingSubscriberGrain.Poisoned[poisoned.EventId] = 0;
        await using var broker = await KafkaMockBroker.StartAsync();
        await broker.CreateTopicAsync(Topic);
        // The subscriber is given up on (and its event dead-lettered) after 3 s instead of Orleans' minute.
        var cluster = KafkaTestCluster.Builder(1, broker.BootstrapServers, Topic, "failing-group", maxEventDeliveryTime: TimeSpan.FromSeconds(3)).Build();
        await cluster.DeployAsync();
        try
        {
            var stream = cluster.Client.GetStreamProvider(TestStreams.ProviderName).GetStream<WalletTestEvent>(StreamId.Create(Namespace, UserId));
            for (var sequence = 1; sequence <= 5; sequence++)
            {
                await stream.OnNextAsync(WalletTestEvent.For(UserId, sequence));
            }

            await Eventually.HoldsAsync(() => FailingSubscriberGrain.Accepted.Select(e => e.Sequence).Distinct().Count() == 4, Timeout,
                () => $"accepted {string.Join(",", FailingSubscriberGrain.Accepted.Select(e => e.Sequence))}");
            Assert.Equal([1, 2, 4, 5], FailingSubscriberGrain.Accepted.Select(e => e.Sequence).Distinct());
            Assert.True(FailingSubscriberGrain.Poisoned[poisoned.EventId] > 1, "the failing event was not retried");

            var options = new KafkaStreamOptions { Topic = Topic };
            var deadLetters = await ReadDeadLettersAsync(broker.BootstrapServers, options.EffectiveDeadLetterTopic,
                m => ReceiverHarness.Header(m, KafkaStreamHeaders.DeadLetterReason) == KafkaDeadLetterReasons.DeliveryFailed);
            var letter = Assert.Single(deadLetters);
            Assert.Equal(UserId, Encoding.UTF8.GetString(letter.Message.Key));
            Assert.Contains($"\"eventId\":\"{poisoned.EventId}\"", Encoding.UTF8.GetString(letter.Message.Value));
            Assert.Equal(Namespace, ReceiverHarness.Header(letter, KafkaStreamHeaders.StreamNamespace));
            Assert.True(Guid.TryParse(ReceiverHarness.Header(letter, KafkaStreamHeaders.DeadLetterSubscription), out _));
            Assert.Equal(Topic, ReceiverHarness.Header(letter, KafkaStreamHeaders.DeadLetterSourceTopic));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static async Task<List<Confluent.Kafka.ConsumeResult<byte[], byte[]>>> ReadDeadLettersAsync(
        string bootstrapServers, string topic, Func<Confluent.Kafka.ConsumeResult<byte[], byte[]>, bool> wanted)
    {
        using var consumer = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "dead-letter-reader",
            EnableAutoCommit = false,
        }).Build();
        var found = new List<Confluent.Kafka.ConsumeResult<byte[], byte[]>>();
        var assigned = false;
        await Eventually.HoldsAsync(() =>
        {
            if (!assigned)
            {
                // The dead-letter topic exists once the provider wrote to it (the mock creates topics on write).
                consumer.Assign(Enumerable.Range(0, KafkaMockBroker.PartitionCount).Select(p => new Confluent.Kafka.TopicPartitionOffset(topic, p, Confluent.Kafka.Offset.Beginning)));
                assigned = true;
            }

            while (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
            {
                if (!result.IsPartitionEOF && wanted(result)) found.Add(result);
            }

            return found.Count > 0;
        }, Timeout, () => "no dead letter of the failed delivery");
        return found;
    }
}
