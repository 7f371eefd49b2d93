using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.TypeSystem;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// The provider's adapter and receivers driven directly, as a pulling agent would, against the mock
/// broker: for tests of what one partition's receiver reads, dead-letters and commits.
/// </summary>
internal sealed class ReceiverHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _services;

    private ReceiverHarness(KafkaMockBroker broker, KafkaStreamOptions options, ServiceProvider services, KafkaQueueAdapterFactory factory, IQueueAdapter adapter)
    {
        Broker = broker;
        Options = options;
        _services = services;
        Factory = factory;
        Adapter = adapter;
    }

    public KafkaMockBroker Broker { get; }
    public KafkaStreamOptions Options { get; }
    public KafkaQueueAdapterFactory Factory { get; }
    public IQueueAdapter Adapter { get; }

    public static async Task<ReceiverHarness> StartAsync(
        string topic, Action<KafkaStreamOptions>? configure = null,
        Func<ConsumerBuilder<byte[], byte[]>, IConsumer<byte[], byte[]>>? buildConsumer = null,
        Func<ProducerBuilder<byte[], byte[]>, IProducer<byte[], byte[]>>? buildProducer = null)
    {
        var broker = await KafkaMockBroker.StartAsync();
        await broker.CreateTopicAsync(topic);
        var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var options = new KafkaStreamOptions
        {
            BootstrapServers = broker.BootstrapServers,
            Topic = topic,
            ConsumerGroupId = topic + "-group",
            PartitionCount = KafkaMockBroker.PartitionCount,
            CommitIntervalMs = 100,
            HealthCheckIntervalMs = 200,
        };
        configure?.Invoke(options);
        var factory = new KafkaQueueAdapterFactory(
            TestStreams.ProviderName, options, JsonKafkaStreamEventSerializer.Default,
            services.GetRequiredService<TypeConverter>(), TimeProvider.System, NullLoggerFactory.Instance);
        if (buildConsumer is not null)
        {
            factory.BuildConsumer = buildConsumer;
        }

        if (buildProducer is not null)
        {
            factory.BuildProducer = buildProducer;
        }

        var adapter = await factory.CreateAdapter();
        return new ReceiverHarness(broker, options, services, factory, adapter);
    }

    public QueueId QueueOf(string userId) => Factory.GetStreamQueueMapper().GetQueueForStream(StreamId.Create(TestStreams.Namespace, userId));

    public int PartitionOf(string userId) => (int)QueueOf(userId).GetNumericId();

    public Task PublishAsync(string userId, int sequence) =>
        Adapter.QueueMessageBatchAsync(StreamId.Create(TestStreams.Namespace, userId), [WalletTestEvent.For(userId, sequence)], null, null);

    /// <summary>Writes a message as some other producer would, on the user's partition; returns its offset.</summary>
    public async Task<long> ProduceRawAsync(string userId, byte[] value, params (string Name, string Value)[] headers)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = Broker.BootstrapServers }).Build();
        var message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(userId), Value = value, Headers = [] };
        foreach (var (name, headerValue) in headers)
        {
            message.Headers.Add(name, Encoding.UTF8.GetBytes(headerValue));
        }

        var result = await producer.ProduceAsync(new TopicPartition(Options.Topic, PartitionOf(userId)), message);
        return result.Offset.Value;
    }

    public async Task<IQueueAdapterReceiver> OpenReceiverAsync(string userId)
    {
        var receiver = Adapter.CreateReceiver(QueueOf(userId));
        await receiver.Initialize(Timeout);
        return receiver;
    }

    public static async Task<List<IBatchContainer>> ReadAsync(IQueueAdapterReceiver receiver, int count)
    {
        var read = new List<IBatchContainer>();
        await Eventually.HoldsAsync(async () =>
        {
            read.AddRange(await receiver.GetQueueMessagesAsync(count - read.Count, CancellationToken.None));
            return read.Count >= count;
        }, Timeout, () => $"read {read.Count} of {count}");
        return read;
    }

    public static int SequenceOf(IBatchContainer container) => container.GetEvents<WalletTestEvent>().Single().Item1.Sequence;

    public long CommittedOffset(int partition)
    {
        using var probe = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Broker.BootstrapServers, GroupId = Options.ConsumerGroupId }).Build();
        return probe.Committed([new TopicPartition(Options.Topic, new Partition(partition))], TimeSpan.FromSeconds(5)).Single().Offset.Value;
    }

    /// <summary>Every message on the dead-letter topic (all partitions), read from the start until <paramref name="until"/> holds.</summary>
    public async Task<List<ConsumeResult<byte[], byte[]>>> DeadLettersAsync(Func<List<ConsumeResult<byte[], byte[]>>, bool> until)
    {
        var topic = Options.EffectiveDeadLetterTopic;
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = Broker.BootstrapServers,
            GroupId = "dead-letter-reader-" + Guid.NewGuid(),
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, KafkaMockBroker.PartitionCount).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var read = new List<ConsumeResult<byte[], byte[]>>();
        await Eventually.HoldsAsync(() =>
        {
            while (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
            {
                if (!result.IsPartitionEOF) read.Add(result);
            }

            return until(read);
        }, Timeout, () => $"{read.Count} dead letters: {string.Join("; ", read.Select(Describe))}");
        return read;
    }

    public static string? Header(ConsumeResult<byte[], byte[]> message, string name) =>
        message.Message.Headers is { } headers && headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : null;

    private static string Describe(ConsumeResult<byte[], byte[]> m) =>
        $"{Header(m, KafkaStreamHeaders.DeadLetterReason)}@{Header(m, KafkaStreamHeaders.DeadLetterSourcePartition)}:{Header(m, KafkaStreamHeaders.DeadLetterSourceOffset)}";

    public async ValueTask DisposeAsync()
    {
        Factory.Dispose();
        await _services.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
