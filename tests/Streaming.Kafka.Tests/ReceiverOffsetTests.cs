using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.TypeSystem;
using Orleans.Streams;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// The receiver commits exactly what Orleans reported delivered: the next owner of the partition
/// starts at the first event not reported, whether the previous owner shut down or was dropped.
/// </summary>
public sealed class ReceiverOffsetTests : IAsyncLifetime
{
    private const string Topic = "wallet-events-offsets";
    private const string Group = "offsets-group";
    private const string UserId = "offsets-user";
    private const int EventCount = 50;
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private KafkaMockBroker _broker = null!;
    private ServiceProvider _services = null!;
    private KafkaQueueAdapterFactory _factory = null!;
    private IQueueAdapter _adapter = null!;
    private QueueId _queue;

    public async Task InitializeAsync()
    {
        _broker = await KafkaMockBroker.StartAsync();
        await _broker.CreateTopicAsync(Topic);
        _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var options = new KafkaStreamOptions
        {
            BootstrapServers = _broker.BootstrapServers,
            Topic = Topic,
            ConsumerGroupId = Group,
            PartitionCount = KafkaMockBroker.PartitionCount,
            CommitIntervalMs = 100,
        };
        _factory = new KafkaQueueAdapterFactory(
            TestStreams.ProviderName, options, JsonKafkaStreamEventSerializer.Default,
            _services.GetRequiredService<TypeConverter>(), TimeProvider.System, NullLoggerFactory.Instance);
        _adapter = await _factory.CreateAdapter();
        var streamId = StreamId.Create(TestStreams.Namespace, UserId);
        _queue = _factory.GetStreamQueueMapper().GetQueueForStream(streamId);
        for (var sequence = 1; sequence <= EventCount; sequence++)
        {
            await _adapter.QueueMessageBatchAsync(streamId, [WalletTestEvent.For(UserId, sequence)], null, null);
        }
    }

    public async Task DisposeAsync()
    {
        _factory.Dispose();
        await _services.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task After_a_graceful_shutdown_the_next_owner_starts_after_the_last_delivered_event()
    {
        var first = _adapter.CreateReceiver(_queue);
        await first.Initialize(ReadTimeout);
        var read = await ReceiverHarness.ReadAsync(first, EventCount);
        await first.MessagesDeliveredAsync(read.Take(35).ToList(), CancellationToken.None);
        await first.Shutdown(ReadTimeout);

        var next = _adapter.CreateReceiver(_queue);
        await next.Initialize(ReadTimeout);
        var reread = await ReceiverHarness.ReadAsync(next, EventCount - 35);
        Assert.Equal(Sequences(36, EventCount), reread.Select(ReceiverHarness.SequenceOf));
        await next.Shutdown(ReadTimeout);
    }

    [Fact]
    public async Task After_an_owner_is_dropped_without_shutdown_nothing_undelivered_is_skipped()
    {
        var first = _adapter.CreateReceiver(_queue);
        await first.Initialize(ReadTimeout);
        var read = await ReceiverHarness.ReadAsync(first, EventCount);
        var delivered = read.Take(20).Cast<KafkaBatchContainer>().ToList();
        await first.MessagesDeliveredAsync(delivered.Cast<IBatchContainer>().ToList(), CancellationToken.None);
        // The periodic committer, not a shutdown, is what a crashed owner leaves behind.
        var expectedCommit = delivered[^1].Offset + 1;
        await Eventually.HoldsAsync(() => CommittedOffset() == expectedCommit, ReadTimeout,
            () => $"committed offset is {CommittedOffset()}, expected {expectedCommit}");
        ((IDisposable)first).Dispose();

        var next = _adapter.CreateReceiver(_queue);
        await next.Initialize(ReadTimeout);
        var reread = await ReceiverHarness.ReadAsync(next, EventCount - 20);
        Assert.Equal(Sequences(21, EventCount), reread.Select(ReceiverHarness.SequenceOf));
        await next.Shutdown(ReadTimeout);
    }

    private long CommittedOffset()
    {
        using var probe = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = _broker.BootstrapServers, GroupId = Group }).Build();
        var partition = new TopicPartition(Topic, new Partition((int)_queue.GetNumericId()));
        return probe.Committed([partition], TimeSpan.FromSeconds(5)).Single().Offset.Value;
    }

    private static IEnumerable<int> Sequences(int first, int last) => Enumerable.Range(first, last - first + 1);
}
