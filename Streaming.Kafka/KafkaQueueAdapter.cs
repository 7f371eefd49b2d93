using System.Collections.Concurrent;
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
    private readonly ILogger _logger;
    private readonly Lock _producerLock = new();
    private IProducer<byte[], byte[]> _producer;
    private readonly System.Diagnostics.TagList _tags;
    private readonly ConcurrentDictionary<KafkaQueueAdapterReceiver, byte> _openReceivers = new();

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
        _logger = loggerFactory.CreateLogger<KafkaQueueAdapter>();
        _producer = BuildProducer();
    }

    public string Name { get; }

    // Subscribing from an arbitrary past token is not offered; the cache serves recent events only.
    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId)
    {
        var receiver = new KafkaQueueAdapterReceiver(
            Name, _queueMapper.PartitionOf(queueId), _options, _codec, _loggerFactory.CreateLogger<KafkaQueueAdapterReceiver>(),
            closed => _openReceivers.TryRemove(closed, out _));
        _openReceivers[receiver] = 0;
        return receiver;
    }

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
        var producer = Volatile.Read(ref _producer);
        try
        {
            await producer.ProduceAsync(topicPartition, message);
        }
        catch (KafkaException exception) when (exception.Error.IsFatal)
        {
            KafkaStreamMetrics.ProduceErrors.Add(1, _tags);
            ReplaceFatallyFailedProducer(producer, exception.Error);
            throw;
        }
        catch
        {
            KafkaStreamMetrics.ProduceErrors.Add(1, _tags);
            throw;
        }

        KafkaStreamMetrics.Produced.Add(1, _tags);
        KafkaStreamMetrics.ProduceDuration.Record(_timeProvider.GetElapsedTime(started).TotalMilliseconds, _tags);
    }

    /// <summary>
    /// An idempotent producer that hit a fatal error (e.g. a broken sequence) refuses every further
    /// message; without a new instance no grain could publish again until the silo restarts. The
    /// failed publishes surface to their grains, whose outboxes publish them again.
    /// </summary>
    private void ReplaceFatallyFailedProducer(IProducer<byte[], byte[]> failed, Error error)
    {
        lock (_producerLock)
        {
            if (!ReferenceEquals(_producer, failed))
            {
                return;
            }

            _logger.LogError("Kafka stream provider '{Provider}': producer failed fatally ({Code}: {Reason}); replacing it.", Name, error.Code, error.Reason);
            Volatile.Write(ref _producer, BuildProducer());
        }

        // Flush serves the delivery reports of what it still holds (they fail fast after a fatal
        // error), so no publisher is left waiting; off the caller's thread, bounded by the produce timeout.
        _ = Task.Run(() =>
        {
            failed.Flush(TimeSpan.FromMilliseconds(_options.ProduceTimeoutMs));
            failed.Dispose();
        });
    }

    private IProducer<byte[], byte[]> BuildProducer() =>
        new ProducerBuilder<byte[], byte[]>(KafkaClientConfigs.Producer(_options))
            .SetErrorHandler((_, error) => _logger.LogWarning("Kafka stream provider '{Provider}': producer reports {Code}: {Reason}", Name, error.Code, error.Reason))
            .Build();

    public void Dispose()
    {
        foreach (var receiver in _openReceivers.Keys)
        {
            receiver.Dispose();
        }

        // Publishers await their deliveries, so nothing acknowledged is pending; the flush bound only
        // covers messages whose publisher was abandoned.
        _producer.Flush(TimeSpan.FromMilliseconds(_options.ProduceTimeoutMs));
        _producer.Dispose();
    }
}
