using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Publishes stream events to Kafka (one message per event, on the partition murmur2 picks for the
/// stream key) and creates one receiver per partition queue.
/// </summary>
internal sealed class KafkaQueueAdapter : IQueueAdapter, IDisposable
{
    private readonly KafkaStreamOptions _options;
    private readonly KafkaPartitionQueueMapper _queueMapper;
    private readonly KafkaMessageCodec _codec;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly System.Diagnostics.TagList _tags;

    public KafkaQueueAdapter(
        string providerName,
        KafkaStreamOptions options,
        KafkaPartitionQueueMapper queueMapper,
        KafkaMessageCodec codec,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        Name = providerName;
        _options = options;
        _queueMapper = queueMapper;
        _codec = codec;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _tags = KafkaStreamMetrics.ProducerTags(providerName, options.Topic);
        var logger = loggerFactory.CreateLogger<KafkaQueueAdapter>();
        _producer = new ProducerBuilder<byte[], byte[]>(KafkaClientConfigs.Producer(options))
            .SetErrorHandler((_, error) => logger.LogWarning("Kafka stream provider '{Provider}': producer reports {Code}: {Reason}", providerName, error.Code, error.Reason))
            .Build();
    }

    public string Name { get; }

    // Subscribing from an arbitrary past token is not offered; the cache serves recent events only.
    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) =>
        new KafkaQueueAdapterReceiver(Name, _queueMapper.PartitionOf(queueId), _options, _codec, _loggerFactory.CreateLogger<KafkaQueueAdapterReceiver>());

    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
        {
            throw new ArgumentException("The Kafka stream provider assigns sequence tokens from Kafka offsets; publish without a token.", nameof(token));
        }

        var topicPartition = new TopicPartition(_options.Topic, new Partition(_queueMapper.PartitionFor(streamId)));
        // All produce calls are issued before any is awaited: librdkafka keeps call order within a
        // partition (idempotence keeps it through retries), and the batch shares one round trip.
        var deliveries = new List<Task>();
        foreach (var streamEvent in events)
        {
            if (streamEvent is null)
            {
                throw new ArgumentException("Stream events must not be null.", nameof(events));
            }

            deliveries.Add(ProduceAsync(topicPartition, _codec.Encode(streamId, streamEvent, _timeProvider.GetUtcNow())));
        }

        await Task.WhenAll(deliveries);
    }

    private async Task ProduceAsync(TopicPartition topicPartition, Message<byte[], byte[]> message)
    {
        var started = _timeProvider.GetTimestamp();
        try
        {
            await _producer.ProduceAsync(topicPartition, message);
        }
        catch
        {
            KafkaStreamMetrics.ProduceErrors.Add(1, _tags);
            throw;
        }

        KafkaStreamMetrics.Produced.Add(1, _tags);
        KafkaStreamMetrics.ProduceDuration.Record(_timeProvider.GetElapsedTime(started).TotalMilliseconds, _tags);
    }

    public void Dispose()
    {
        // Publishers await their deliveries, so nothing acknowledged is pending; the flush bound only
        // covers messages whose publisher was abandoned.
        _producer.Flush(TimeSpan.FromMilliseconds(_options.ProduceTimeoutMs));
        _producer.Dispose();
    }
}
