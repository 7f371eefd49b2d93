using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Providers.Streams.Common;
using Orleans.Serialization.TypeSystem;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>Builds the Kafka adapter, its partition queue mapper and the queue cache for one provider.</summary>
internal sealed class KafkaQueueAdapterFactory : IQueueAdapterFactory, IDisposable
{
    private readonly string _providerName;
    private readonly KafkaStreamOptions _options;
    private readonly KafkaMessageCodec _codec;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly KafkaPartitionQueueMapper _queueMapper;
    private readonly KafkaQueueAdapterCache _queueCache;
    private readonly KafkaStreamHealth _health;
    private readonly int _deliveryBatchSize;
    private readonly SemaphoreSlim _adapterLock = new(1, 1);
    private KafkaQueueAdapter? _adapter;

    public KafkaQueueAdapterFactory(
        string providerName,
        KafkaStreamOptions options,
        IKafkaStreamEventSerializer serializer,
        TypeConverter typeConverter,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        KafkaStreamHealth? health = null,
        int deliveryBatchSize = 1)
    {
        _providerName = providerName;
        _options = options;
        _codec = new KafkaMessageCodec(serializer, typeConverter, options.EventTypes, options.RequireStableTypeNames);
        _health = health ?? new KafkaStreamHealth(providerName, options.Topic, TimeSpan.FromMilliseconds(options.StuckPartitionAfterMs), timeProvider);
        _deliveryBatchSize = Math.Max(1, deliveryBatchSize);
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _queueMapper = new KafkaPartitionQueueMapper(providerName, options.PartitionCount);
        _queueCache = new KafkaQueueAdapterCache(options.CacheSizeMessages, _deliveryBatchSize);
    }

    public static KafkaQueueAdapterFactory Create(IServiceProvider services, string name)
    {
        var options = services.GetOptionsByName<KafkaStreamOptions>(name);
        var serializer = services.GetKeyedService<IKafkaStreamEventSerializer>(name) ?? JsonKafkaStreamEventSerializer.Default;
        return new KafkaQueueAdapterFactory(
            name,
            options,
            serializer,
            services.GetRequiredService<TypeConverter>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILoggerFactory>(),
            services.GetKeyedService<KafkaStreamHealth>(name),
            services.GetOptionsByName<StreamPullingAgentOptions>(name).BatchContainerBatchSize);
    }

    // Orleans 10 marks the overload without a token obsolete but still requires it.
    public Task<IQueueAdapter> CreateAdapter() => CreateAdapter(CancellationToken.None);

    public async Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken)
    {
        await _adapterLock.WaitAsync(cancellationToken);
        try
        {
            if (_adapter is null)
            {
                await KafkaTopicVerifier.VerifyAsync(_options, _providerName, _loggerFactory.CreateLogger<KafkaQueueAdapterFactory>(), cancellationToken);
                _adapter = new KafkaQueueAdapter(_providerName, _options, _queueMapper, _codec, _health, _timeProvider, _loggerFactory, BuildProducer)
                {
                    BuildConsumer = BuildConsumer,
                    DeliveryBatchSize = _deliveryBatchSize,
                };
            }

            return _adapter;
        }
        finally
        {
            _adapterLock.Release();
        }
    }

    /// <summary>Test seam: how receivers build their consumer (see <see cref="KafkaQueueAdapter.BuildConsumer"/>).</summary>
    internal Func<Confluent.Kafka.ConsumerBuilder<byte[], byte[]>, Confluent.Kafka.IConsumer<byte[], byte[]>> BuildConsumer { get; set; } = static builder => builder.Build();

    /// <summary>Test seam: how the adapter builds its producer (events and dead letters).</summary>
    internal Func<Confluent.Kafka.ProducerBuilder<byte[], byte[]>, Confluent.Kafka.IProducer<byte[], byte[]>> BuildProducer { get; set; } = static builder => builder.Build();

    internal KafkaStreamHealth Health => _health;

    internal KafkaMessageCodec Codec => _codec;

    public IQueueAdapterCache GetQueueAdapterCache() => _queueCache;

    public IStreamQueueMapper GetStreamQueueMapper() => _queueMapper;

    // An event a subscriber keeps failing on is dead-lettered before the offset may move past it, so
    // one broken subscriber cannot stall a partition for every other user on it, and nothing is lost.
    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new KafkaDeliveryFailureHandler(
            () => Volatile.Read(ref _adapter), _queueMapper.PartitionOf(queueId), _deliveryBatchSize, _loggerFactory.CreateLogger<KafkaDeliveryFailureHandler>()));

    public void Dispose()
    {
        _adapter?.Dispose();
        _adapterLock.Dispose();
    }
}
