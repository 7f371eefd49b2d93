using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using OrleansWallet.Client;
using OrleansWallet.Streaming.Kafka;

namespace OrleansWallet.Integration.Tests;

/// <summary>Order events on Kafka, read the way a non-.NET consumer would, and through the watch API.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class OrderEventTests(ClusterFixture fixture)
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);
    private readonly WalletChannel _channel = fixture.Cluster.Channel(0);

    [Fact]
    public async Task Order_events_reach_kafka_keyed_by_user_in_the_java_partition_and_in_order()
    {
        var users = Enumerable.Range(0, 6).Select(i => Ids.User($"ev{i}")).ToList();
        var expected = new Dictionary<string, (string User, string[] Types)>();
        foreach (var user in users)
        {
            await _channel.Wallets.CreditDepositAsync(user, "ETH", 1_000, "0xev:" + user);
            var orderId = Ids.Key("o");
            await _channel.Orders.PlaceAsync(orderId, user, "ETH", 600, "USDC", 1_200);
            await _channel.Orders.FillAsync(orderId, "f1", 200, 400);
            await _channel.Orders.CancelAsync(orderId);
            expected[orderId] = (user, ["order.placed", "order.partially_filled", "order.cancelled"]);

            var second = Ids.Key("o");
            await _channel.Orders.PlaceAsync(second, user, "ETH", 400, "USDC", 800);
            await _channel.Orders.FillAsync(second, "f1", 400, 900);
            expected[second] = (user, ["order.placed", "order.filled"]);

            var rejected = Ids.Key("o");
            await _channel.Orders.PlaceAsync(rejected, user, "BTC", 1, "USDC", 1);
            expected[rejected] = (user, ["order.rejected"]);
        }

        var wanted = expected.Sum(e => e.Value.Types.Length);
        var seen = new Dictionary<string, KafkaRecord>(); // by event id: duplicates are allowed, and dropped
        using var consumer = PlainConsumer();
        consumer.Assign(Enumerable.Range(0, WalletCluster.OrderEventsPartitionCount)
            .Select(p => new TopicPartitionOffset(WalletCluster.OrderEventsTopic, p, Offset.Beginning)));
        var deadline = DateTime.UtcNow + DeliveryTimeout;
        while (expected.Keys.Sum(o => seen.Values.Count(r => r.OrderId == o)) < wanted && DateTime.UtcNow < deadline)
        {
            var message = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (message is null) continue;
            var record = KafkaRecord.Parse(message);
            if (expected.ContainsKey(record.OrderId)) seen.TryAdd(record.EventId, record);
        }

        foreach (var (orderId, (user, types)) in expected)
        {
            var events = seen.Values.Where(r => r.OrderId == orderId).OrderBy(r => r.Offset).ToList();
            Assert.Equal(types, events.Select(e => e.Type));
            Assert.Equal(Enumerable.Range(1, types.Length).Select(i => (long)i), events.Select(e => e.Sequence));
            Assert.All(events, e =>
            {
                Assert.Equal(user, e.Key);
                Assert.Equal(user, e.UserId);
                Assert.Equal($"{orderId}:{e.Sequence}", e.EventId);
                Assert.Equal(KafkaPartitioner.PartitionFor(Encoding.UTF8.GetBytes(user), WalletCluster.OrderEventsPartitionCount), e.Partition);
            });
        }
        var filled = seen.Values.Single(r => expected[r.OrderId].Types.Length == 2 && r.Type == "order.filled" && r.Key == users[0]);
        Assert.Equal(("400", "900", "Filled"), (filled.Payload.GetProperty("soldAmount").GetString(),
            filled.Payload.GetProperty("boughtAmount").GetString(), filled.Payload.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task WatchOrderEvents_streams_a_users_events_as_they_happen()
    {
        var user = Ids.User("watch");
        await _channel.Wallets.CreditDepositAsync(user, "USDC", 10_000, "0xwatch:" + user);
        using var watch = await fixture.Cluster.Channel(1).Orders.WatchEventsAsync(user);
        var orderId = Ids.Key("o");

        await _channel.Orders.PlaceAsync(orderId, user, "USDC", 3_000, "ETH", 1);
        await _channel.Orders.FillAsync(orderId, "f1", 1_000, 1);
        await _channel.Orders.FillAsync(orderId, "f2", 2_000, 2);

        using var timeout = new CancellationTokenSource(DeliveryTimeout);
        var received = new List<OrderEventInfo>();
        await foreach (var e in watch.ReadAllAsync(timeout.Token))
        {
            received.Add(e);
            if (received.Count == 3) break;
        }
        Assert.Equal(["order.placed", "order.partially_filled", "order.filled"], received.Select(e => e.Type));
        Assert.All(received, e => Assert.Equal(orderId, e.OrderId));
        Assert.Equal(OrderState.Filled, received[^1].Order.State);
        Assert.Equal("f2", received[^1].FillId);
    }

    private IConsumer<string, string> PlainConsumer() =>
        new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = fixture.Cluster.Kafka.BootstrapServers,
            GroupId = "plain-consumer-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).Build();

    /// <summary>What a consumer that knows nothing of Orleans reads: key, partition, JSON value.</summary>
    private sealed record KafkaRecord(string Key, int Partition, long Offset, string EventId, string Type, string UserId,
        string OrderId, long Sequence, JsonElement Payload)
    {
        public static KafkaRecord Parse(ConsumeResult<string, string> message)
        {
            var json = JsonDocument.Parse(message.Message.Value).RootElement;
            return new KafkaRecord(message.Message.Key, message.Partition.Value, message.Offset.Value,
                json.GetProperty("eventId").GetString()!, json.GetProperty("type").GetString()!,
                json.GetProperty("userId").GetString()!, json.GetProperty("orderId").GetString()!,
                json.GetProperty("sequence").GetInt64(), json.GetProperty("payload").Clone());
        }
    }
}
