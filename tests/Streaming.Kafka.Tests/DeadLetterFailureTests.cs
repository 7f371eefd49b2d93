using System.Reflection;
using Confluent.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Orleans.Streams;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// Issue #11, points 1 and 2, when the dead letter itself cannot be written: nothing moves past the
/// message. The broker is the real mock; only the provider's producer is wrapped so that writes to the
/// dead-letter topic fail (librdkafka's mock accepts any topic name, so no real topic can refuse them).
/// </summary>
public sealed class DeadLetterFailureTests
{
    private const string UserId = "dead-letter-failure-user";

    [Fact]
    public async Task An_undecodable_message_whose_dead_letter_fails_holds_its_partition_and_readiness_says_why()
    {
        await using var harness = await ReceiverHarness.StartAsync("wallet-events-dlq-down", buildProducer: DeadLettersFail);
        var partition = harness.PartitionOf(UserId);
        await harness.PublishAsync(UserId, 1);
        var poison = await harness.ProduceRawAsync(UserId, "{}"u8.ToArray());
        await harness.PublishAsync(UserId, 2);

        var receiver = await harness.OpenReceiverAsync(UserId);
        var read = new List<IBatchContainer>();
        await Eventually.HoldsAsync(async () =>
            {
                read.AddRange(await receiver.GetQueueMessagesAsync(100, CancellationToken.None));
                return harness.Factory.Health.GetPartitions().Single(p => p.Partition == partition).Status == KafkaPartitionStatus.DeadLetterPending;
            }, ReceiverHarness.Timeout, () => $"read {read.Count}; {string.Join("; ", harness.Factory.Health.GetPartitions())}");
        // Event 2 lies behind the message that could not be dead-lettered: it is not handed over.
        for (var i = 0; i < 3; i++) read.AddRange(await receiver.GetQueueMessagesAsync(100, CancellationToken.None));
        Assert.Equal([1], read.Select(ReceiverHarness.SequenceOf));
        var check = await new KafkaStreamHealthCheck(harness.Factory.Health).CheckHealthAsync(new());
        Assert.Contains($"waiting to write a dead letter: offset {poison}", check.Description);

        await receiver.MessagesDeliveredAsync(read, CancellationToken.None);
        await receiver.Shutdown(ReceiverHarness.Timeout);
        Assert.Equal(poison, harness.CommittedOffset(partition));
    }

    [Fact]
    public async Task A_failed_delivery_whose_dead_letter_fails_is_never_committed_past()
    {
        await using var harness = await ReceiverHarness.StartAsync("wallet-events-dlq-down-delivery", buildProducer: DeadLettersFail);
        var partition = harness.PartitionOf(UserId);
        for (var sequence = 1; sequence <= 5; sequence++) await harness.PublishAsync(UserId, sequence);
        var receiver = (KafkaQueueAdapterReceiver)await harness.OpenReceiverAsync(UserId);
        var read = await ReceiverHarness.ReadAsync(receiver, 5);
        var failed = (KafkaBatchContainer)read[2];

        // What the pulling agent does when it gives up on event 3 for a subscription.
        await receiver.OnDeliveryFailedAsync(Guid.NewGuid(), failed.StreamId, failed.SequenceToken, deliveryBatchSize: 1);
        Assert.Equal(KafkaPartitionStatus.DeadLetterPending, harness.Factory.Health.GetPartitions().Single(p => p.Partition == partition).Status);

        // Everything is purged from the cache as delivered; the commit still stops at event 3.
        await receiver.MessagesDeliveredAsync(read, CancellationToken.None);
        await receiver.Shutdown(ReceiverHarness.Timeout);
        Assert.Equal(failed.Offset, harness.CommittedOffset(partition));
    }

    private static IProducer<byte[], byte[]> DeadLettersFail(ProducerBuilder<byte[], byte[]> builder) => DeadLetterRefusingProducer.Wrap(builder.Build());

    /// <summary>Delegates to a real producer, except that a produce to a dead-letter topic fails as a broker refusal would.</summary>
    public class DeadLetterRefusingProducer : DispatchProxy
    {
        private IProducer<byte[], byte[]> _inner = null!;

        internal static IProducer<byte[], byte[]> Wrap(IProducer<byte[], byte[]> inner)
        {
            var proxy = Create<IProducer<byte[], byte[]>, DeadLetterRefusingProducer>();
            ((DeadLetterRefusingProducer)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IProducer<byte[], byte[]>.ProduceAsync) && args![0] is string topic && topic.EndsWith(KafkaStreamOptions.DeadLetterTopicSuffix, StringComparison.Ordinal))
            {
                return Task.FromException<DeliveryResult<byte[], byte[]>>(
                    new ProduceException<byte[], byte[]>(new Error(ErrorCode.TopicAuthorizationFailed, "injected: not allowed to write the dead-letter topic"), new DeliveryResult<byte[], byte[]>()));
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                throw exception.InnerException;
            }
        }
    }
}
