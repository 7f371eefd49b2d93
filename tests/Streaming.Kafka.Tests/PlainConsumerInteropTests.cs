using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Orleans.Runtime;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// Events published on Orleans streams land on the topic as plain Kafka messages a consumer that
/// knows nothing of Orleans can read: key = user id, partition = murmur2, value = JSON, order kept per user.
/// </summary>
public sealed class PlainConsumerInteropTests
{
    private const int UserCount = 200;
    private const int EventsPerUser = 50;
    private const int EventCount = UserCount * EventsPerUser;
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Published_events_are_keyed_by_user_on_the_murmur2_partition_in_per_user_order()
    {
        ReceivedEvents.Clear();
        await using var broker = await KafkaMockBroker.StartAsync();
        const string Topic = "wallet-events-interop";
        await broker.CreateTopicAsync(Topic);
        var cluster = KafkaTestCluster.Builder(1, broker.BootstrapServers, Topic, "interop-group").Build();
        await cluster.DeployAsync();
        try
        {
            var users = Enumerable.Range(0, UserCount).Select(i => $"user-{i}").ToArray();
            var provider = cluster.Client.GetStreamProvider(TestStreams.ProviderName);
            // Plain consumer reading all partitions from the start while the publishers run (the mock keeps few messages).
            var consumed = Task.Run(() => ConsumeAll(broker.BootstrapServers, Topic, EventCount));

            await Task.WhenAll(users.Select(async user =>
            {
                await Task.Yield();
                var stream = provider.GetStream<WalletTestEvent>(StreamId.Create(TestStreams.Namespace, user));
                for (var sequence = 1; sequence <= EventsPerUser; sequence++)
                {
                    await stream.OnNextAsync(WalletTestEvent.For(user, sequence));
                }
            }));

            var messages = await consumed.WaitAsync(DeliveryTimeout);
            Assert.Equal(EventCount, messages.Count);
            foreach (var message in messages)
            {
                var key = Encoding.UTF8.GetString(message.Message.Key);
                using var json = JsonDocument.Parse(message.Message.Value);
                Assert.Equal(key, json.RootElement.GetProperty("userId").GetString());
                Assert.Equal(KafkaPartitioner.PartitionFor(message.Message.Key, KafkaMockBroker.PartitionCount), message.Partition.Value);
                Assert.Equal("1", Header(message, KafkaStreamHeaders.EnvelopeVersion));
                Assert.Equal(TestStreams.Namespace, Header(message, KafkaStreamHeaders.StreamNamespace));
                Assert.Equal("application/json", Header(message, KafkaStreamHeaders.ContentType));
                Assert.Equal("kafka-tests.wallet-test-event", Header(message, KafkaStreamHeaders.EventType));
            }

            var sequencesOnKafka = messages
                .GroupBy(m => Encoding.UTF8.GetString(m.Message.Key))
                .ToDictionary(g => g.Key, g => g.Select(m => JsonDocument.Parse(m.Message.Value).RootElement.GetProperty("sequence").GetInt32()).ToArray());
            AssertEveryUserInOrder(users, sequencesOnKafka);

            // The same order reaches the Orleans subscribers.
            await Eventually.HoldsAsync(() => ReceivedEvents.Snapshot().Count >= EventCount, DeliveryTimeout,
                () => $"subscribers received {ReceivedEvents.Snapshot().Count} of {EventCount}");
            var sequencesDelivered = ReceivedEvents.Snapshot()
                .GroupBy(e => e.UserId)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Sequence).ToArray());
            AssertEveryUserInOrder(users, sequencesDelivered);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static void AssertEveryUserInOrder(string[] users, Dictionary<string, int[]> sequencesByUser)
    {
        var expected = Enumerable.Range(1, EventsPerUser).ToArray();
        Assert.Equal(users.Length, sequencesByUser.Count);
        foreach (var user in users)
        {
            Assert.Equal(expected, sequencesByUser[user]);
        }
    }

    private static string? Header(ConsumeResult<byte[], byte[]> message, string name) =>
        message.Message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : null;

    private static List<ConsumeResult<byte[], byte[]>> ConsumeAll(string bootstrapServers, string topic, int count)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "plain-consumer",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, KafkaMockBroker.PartitionCount)
            .Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var messages = new List<ConsumeResult<byte[], byte[]>>(count);
        var deadline = DateTime.UtcNow + DeliveryTimeout;
        while (messages.Count < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            // The mock's warm-up message that created the topic carries no provider headers.
            if (result is not null && result.Message.Headers.TryGetLastBytes(KafkaStreamHeaders.EnvelopeVersion, out _))
            {
                messages.Add(result);
            }
        }

        return messages;
    }
}
