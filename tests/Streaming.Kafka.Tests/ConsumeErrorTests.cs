using System.Reflection;
using Confluent.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// Issue #11, point 3: an error while reading (a <see cref="ConsumeException"/> from librdkafka) never
/// loses what was read before it, and the offsets committed later cover only what was delivered.
/// The broker is the real mock cluster; only the receiver's consumer is wrapped to fail on cue.
/// </summary>
public sealed class ConsumeErrorTests
{
    private const string UserId = "consume-error-user";
    private const int EventCount = 40;

    [Fact]
    public async Task Consume_errors_in_the_read_loop_keep_every_message_in_order()
    {
        var failures = new FailurePlan(everyNthCall: 3, fatal: false);
        await using var harness = await ReceiverHarness.StartAsync("wallet-events-consume-error", buildConsumer: b => FailingConsumer.Wrap(b.Build(), failures));
        for (var sequence = 1; sequence <= EventCount; sequence++) await harness.PublishAsync(UserId, sequence);

        var receiver = await harness.OpenReceiverAsync(UserId);
        var read = await ReceiverHarness.ReadAsync(receiver, EventCount);
        Assert.Equal(Enumerable.Range(1, EventCount), read.Select(ReceiverHarness.SequenceOf));
        Assert.True(failures.Thrown >= 5, $"only {failures.Thrown} consume errors were raised");
        var partition = harness.PartitionOf(UserId);
        Assert.True(harness.Factory.Health.GetPartitions().Single(p => p.Partition == partition).ConsumeErrors >= failures.Thrown - 1);

        // Half delivered: the commit stops right after it, so a next owner starts at the first undelivered event.
        await receiver.MessagesDeliveredAsync(read.Take(EventCount / 2).ToList(), CancellationToken.None);
        await receiver.Shutdown(ReceiverHarness.Timeout);
        var next = await harness.OpenReceiverAsync(UserId);
        var reread = await ReceiverHarness.ReadAsync(next, EventCount / 2);
        Assert.Equal(Enumerable.Range(EventCount / 2 + 1, EventCount / 2), reread.Select(ReceiverHarness.SequenceOf));
        await next.Shutdown(ReceiverHarness.Timeout);
    }

    [Fact]
    public async Task A_fatal_consumer_error_replaces_the_consumer_at_the_next_unread_message()
    {
        var failures = new FailurePlan(everyNthCall: 15, fatal: true, limit: 2);
        var built = 0;
        await using var harness = await ReceiverHarness.StartAsync("wallet-events-consume-fatal", buildConsumer: b =>
        {
            Interlocked.Increment(ref built);
            return FailingConsumer.Wrap(b.Build(), failures);
        });
        for (var sequence = 1; sequence <= EventCount; sequence++) await harness.PublishAsync(UserId, sequence);

        var receiver = await harness.OpenReceiverAsync(UserId);
        var read = await ReceiverHarness.ReadAsync(receiver, EventCount);
        Assert.Equal(Enumerable.Range(1, EventCount), read.Select(ReceiverHarness.SequenceOf));
        Assert.Equal(2, failures.Thrown);
        Assert.Equal(3, Volatile.Read(ref built));
        await receiver.Shutdown(ReceiverHarness.Timeout);
    }

    /// <summary>When the wrapped consumer throws instead of consuming.</summary>
    internal sealed class FailurePlan(int everyNthCall, bool fatal, int limit = int.MaxValue)
    {
        private int _messageCalls;
        private int _thrown;

        public int Thrown => Volatile.Read(ref _thrown);

        /// <summary>Called after each message consumed; true when the next call should throw.</summary>
        public Error? Next()
        {
            if (Interlocked.Increment(ref _messageCalls) % everyNthCall != 0 || Thrown >= limit)
            {
                return null;
            }

            Interlocked.Increment(ref _thrown);
            return new Error(fatal ? ErrorCode.Local_Fatal : ErrorCode.Local_Transport, "injected by the test", fatal);
        }
    }

    /// <summary>Delegates every call to a real consumer; <c>Consume</c> throws as the plan says, after a message was taken.</summary>
    public class FailingConsumer : DispatchProxy
    {
        private IConsumer<byte[], byte[]> _inner = null!;
        private FailurePlan _plan = null!;
        private Error? _pending;

        internal static IConsumer<byte[], byte[]> Wrap(IConsumer<byte[], byte[]> inner, FailurePlan plan)
        {
            var proxy = Create<IConsumer<byte[], byte[]>, FailingConsumer>();
            var failing = (FailingConsumer)(object)proxy;
            failing._inner = inner;
            failing._plan = plan;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IConsumer<byte[], byte[]>.Consume) && _pending is { } error)
            {
                // Thrown between messages, with messages already taken before it: what the old read loop lost.
                _pending = null;
                throw new ConsumeException(new ConsumeResult<byte[], byte[]> { Message = new Message<byte[], byte[]>() }, error);
            }

            try
            {
                var result = targetMethod.Invoke(_inner, args);
                if (targetMethod.Name == nameof(IConsumer<byte[], byte[]>.Consume) && result is ConsumeResult<byte[], byte[]> { IsPartitionEOF: false })
                {
                    _pending = _plan.Next();
                }

                return result;
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                throw exception.InnerException;
            }
        }
    }
}
