using System.Globalization;
using System.Text;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// Issue #11, point 1: a message that cannot be decoded is never skipped silently. By default it is
/// written to the dead-letter topic with the reason in headers, and only then does the partition go
/// on; with StopPartition the partition stops at it and health reports it.
/// </summary>
public sealed class PoisonMessageTests
{
    private const string UserId = "poison-user";

    [Fact]
    public async Task Undecodable_messages_are_dead_lettered_with_their_reason_and_the_partition_goes_on_in_order()
    {
        const string Topic = "wallet-events-poison";
        await using var harness = await ReceiverHarness.StartAsync(Topic);
        for (var sequence = 1; sequence <= 3; sequence++) await harness.PublishAsync(UserId, sequence);
        var noEnvelope = await harness.ProduceRawAsync(UserId, "{\"userId\":\"x\"}"u8.ToArray());
        var unknownType = await harness.ProduceRawAsync(UserId, "{}"u8.ToArray(),
            (KafkaStreamHeaders.EnvelopeVersion, "1"), (KafkaStreamHeaders.EventType, "Some.Removed.Type,Gone.Assembly"));
        var badValue = await harness.ProduceRawAsync(UserId, "not json"u8.ToArray(),
            (KafkaStreamHeaders.EnvelopeVersion, "1"), (KafkaStreamHeaders.EventType, "kafka-tests.wallet-test-event"));
        var newerEnvelope = await harness.ProduceRawAsync(UserId, "{}"u8.ToArray(), (KafkaStreamHeaders.EnvelopeVersion, "2"));
        for (var sequence = 4; sequence <= 6; sequence++) await harness.PublishAsync(UserId, sequence);

        var receiver = await harness.OpenReceiverAsync(UserId);
        var read = await ReceiverHarness.ReadAsync(receiver, 6);
        Assert.Equal([1, 2, 3, 4, 5, 6], read.Select(ReceiverHarness.SequenceOf));

        var expected = new Dictionary<long, string>
        {
            [noEnvelope] = KafkaDeadLetterReasons.NoEnvelope,
            [unknownType] = KafkaDeadLetterReasons.UnknownType,
            [badValue] = KafkaDeadLetterReasons.BadValue,
            [newerEnvelope] = KafkaDeadLetterReasons.UnsupportedEnvelope,
        };
        var partition = harness.PartitionOf(UserId);
        var deadLetters = (await harness.DeadLettersAsync(all => OursIn(all, Topic, partition).Count() >= expected.Count)).Where(m => IsFrom(m, Topic, partition)).ToList();
        Assert.Equal(expected.Count, deadLetters.Count);
        foreach (var deadLetter in deadLetters)
        {
            var offset = long.Parse(ReceiverHarness.Header(deadLetter, KafkaStreamHeaders.DeadLetterSourceOffset)!, CultureInfo.InvariantCulture);
            Assert.Equal(expected[offset], ReceiverHarness.Header(deadLetter, KafkaStreamHeaders.DeadLetterReason));
            Assert.False(string.IsNullOrEmpty(ReceiverHarness.Header(deadLetter, KafkaStreamHeaders.DeadLetterDetail)));
            Assert.Equal(harness.Options.ConsumerGroupId, ReceiverHarness.Header(deadLetter, KafkaStreamHeaders.DeadLetterConsumerGroup));
            Assert.Equal(UserId, Encoding.UTF8.GetString(deadLetter.Message.Key));
        }

        // The bad value travels byte for byte, with the headers it had.
        var badValueLetter = deadLetters.Single(m => ReceiverHarness.Header(m, KafkaStreamHeaders.DeadLetterReason) == KafkaDeadLetterReasons.BadValue);
        Assert.Equal("not json"u8.ToArray(), badValueLetter.Message.Value);
        Assert.Equal("kafka-tests.wallet-test-event", ReceiverHarness.Header(badValueLetter, KafkaStreamHeaders.EventType));

        // Delivered events commit past the dead letters: they are recorded, not lost.
        await receiver.MessagesDeliveredAsync(read, CancellationToken.None);
        var lastOffset = ((KafkaBatchContainer)read[^1]).Offset;
        await Eventually.HoldsAsync(() => harness.CommittedOffset(partition) == lastOffset + 1, ReceiverHarness.Timeout,
            () => $"committed {harness.CommittedOffset(partition)}, expected {lastOffset + 1}");
        var health = harness.Factory.Health.GetPartitions().Single(p => p.Partition == partition);
        Assert.True(health.DeadLettered >= expected.Count);
        Assert.Equal(KafkaPartitionStatus.Healthy, health.Status);
        await receiver.Shutdown(ReceiverHarness.Timeout);
    }

    [Fact]
    public async Task With_StopPartition_the_partition_stops_at_the_message_and_readiness_reports_it()
    {
        const string Topic = "wallet-events-poison-stop";
        await using var harness = await ReceiverHarness.StartAsync(Topic, o => o.PoisonMessageHandling = KafkaPoisonMessageHandling.StopPartition);
        var partition = harness.PartitionOf(UserId);
        // The topic's warm-up message has no envelope either: start this group after it.
        for (var sequence = 1; sequence <= 3; sequence++) await harness.PublishAsync(UserId, sequence);
        var poison = await harness.ProduceRawAsync(UserId, "{}"u8.ToArray(),
            (KafkaStreamHeaders.EnvelopeVersion, "1"), (KafkaStreamHeaders.EventType, "Some.Removed.Type,Gone.Assembly"));
        for (var sequence = 4; sequence <= 6; sequence++) await harness.PublishAsync(UserId, sequence);
        var firstEvent = poison - 3;
        await CommitAsync(harness, partition, firstEvent);

        var receiver = await harness.OpenReceiverAsync(UserId);
        var read = await ReceiverHarness.ReadAsync(receiver, 3);
        Assert.Equal([1, 2, 3], read.Select(ReceiverHarness.SequenceOf));
        await Eventually.HoldsAsync(async () =>
            {
                Assert.Empty(await receiver.GetQueueMessagesAsync(100, CancellationToken.None));
                return harness.Factory.Health.GetPartitions().Single(p => p.Partition == partition).Status == KafkaPartitionStatus.Stopped;
            }, ReceiverHarness.Timeout, () => "the partition did not stop");
        // Reading on gives nothing: the events after the poison wait.
        for (var i = 0; i < 5; i++) Assert.Empty(await receiver.GetQueueMessagesAsync(100, CancellationToken.None));

        var check = await new KafkaStreamHealthCheck(harness.Factory.Health).CheckHealthAsync(new());
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, check.Status);
        Assert.Contains($"stopped: message at offset {poison}", check.Description);
        Assert.Contains("unknown-type", check.Description);

        // Delivering what came before does not commit past the poison.
        await receiver.MessagesDeliveredAsync(read, CancellationToken.None);
        await receiver.Shutdown(ReceiverHarness.Timeout);
        Assert.Equal(poison, harness.CommittedOffset(partition));
    }

    private static async Task CommitAsync(ReceiverHarness harness, int partition, long offset)
    {
        using var consumer = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig
        {
            BootstrapServers = harness.Broker.BootstrapServers,
            GroupId = harness.Options.ConsumerGroupId,
        }).Build();
        consumer.Commit([new Confluent.Kafka.TopicPartitionOffset(harness.Options.Topic, partition, offset)]);
        await Eventually.HoldsAsync(() => harness.CommittedOffset(partition) == offset, ReceiverHarness.Timeout, () => "commit did not land");
    }

    private static bool IsFrom(Confluent.Kafka.ConsumeResult<byte[], byte[]> m, string topic, int partition) =>
        ReceiverHarness.Header(m, KafkaStreamHeaders.DeadLetterSourceTopic) == topic
        && ReceiverHarness.Header(m, KafkaStreamHeaders.DeadLetterSourcePartition) == partition.ToString(CultureInfo.InvariantCulture)
        && Encoding.UTF8.GetString(m.Message.Key ?? []) == UserId;

    private static IEnumerable<Confluent.Kafka.ConsumeResult<byte[], byte[]>> OursIn(List<Confluent.Kafka.ConsumeResult<byte[], byte[]>> all, string topic, int partition) =>
        all.Where(m => IsFrom(m, topic, partition));
}
