using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Publishes stream events to Kafka (one message per event, on the partition murmur2 picks for the
/// stream key), writes dead letters, and creates one receiver per partition queue.
/// </summary>
internal sealed partial class KafkaQueueAdapter : IQueueAdapter, IDisposable
{
    private readonly KafkaStreamOptions _options;
    private readonly KafkaPartitionQueueMapper _queueMapper;
    private readonly KafkaMessageCodec _codec;
    private readonly KafkaStreamHealth _health;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Lock _producerLock = new();
    private IProducer<byte[], byte[]> _producer;
    private readonly System.Diagnostics.TagList _tags;
    private readonly ConcurrentDictionary<int, KafkaQueueAdapterReceiver> _openReceivers = new();
    private readonly KafkaPartitionMonitor _monitor;
    private readonly Func<ProducerBuilder<byte[], byte[]>, IProducer<byte[], byte[]>> _buildProducer;

    public KafkaQueueAdapter(
        string providerName,
        KafkaStreamOptions options,
        KafkaPartitionQueueMapper queueMapper,
        KafkaMessageCodec codec,
        KafkaStreamHealth health,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        Func<ProducerBuilder<byte[], byte[]>, IProducer<byte[], byte[]>>? buildProducer = null)
    {
        Name = providerName;
        _buildProducer = buildProducer ?? (static builder => builder.Build());
        _options = options;
        _queueMapper = queueMapper;
        _codec = codec;
        _health = health;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _tags = KafkaStreamMetrics.ProducerTags(providerName, options.Topic);
        _logger = loggerFactory.CreateLogger<KafkaQueueAdapter>();
        _producer = BuildProducer();
        _monitor = new KafkaPartitionMonitor(options, health, loggerFactory.CreateLogger<KafkaPartitionMonitor>());
    }

    public string Name { get; }

    /// <summary>
    /// Builds each receiver's consumer. A seam for tests that need the consumer to fail in a given way;
    /// the broker is always a real (mock) cluster.
    /// </summary>
    internal Func<ConsumerBuilder<byte[], byte[]>, IConsumer<byte[], byte[]>> BuildConsumer { get; set; } = static builder => builder.Build();

    /// <summary><c>StreamPullingAgentOptions.BatchContainerBatchSize</c>: events a failed delivery covered.</summary>
    internal int DeliveryBatchSize { get; init; } = 1;

    // Subscribing from an arbitrary past token is not offered; the cache serves recent events only.
    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId)
    {
        var partition = _queueMapper.PartitionOf(queueId);
        var receiver = new KafkaQueueAdapterReceiver(
            Name, partition, _options, _codec, this, _health, _timeProvider, _loggerFactory.CreateLogger<KafkaQueueAdapterReceiver>(),
            closed => _openReceivers.TryRemove(new KeyValuePair<int, KafkaQueueAdapterReceiver>(closed.Partition, closed)));
        _openReceivers[partition] = receiver;
        _monitor.EnsureStarted();
        return receiver;
    }

    internal KafkaQueueAdapterReceiver? ReceiverOf(int partition) => _openReceivers.GetValueOrDefault(partition);

    internal IConsumer<byte[], byte[]> NewConsumer(ConsumerBuilder<byte[], byte[]> builder) => BuildConsumer(builder);

    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
        {
            throw new ArgumentException("The Kafka stream provider assigns sequence tokens from Kafka offsets; publish without a token.", nameof(token));
        }

        var topicPartition = new TopicPartition(_options.Topic, new Partition(_queueMapper.PartitionFor(streamId)));
        // Orleans passes a list; counting first lets one completion serve the whole batch.
        var list = events as IReadOnlyList<T> ?? events.ToList();
        if (list.Count == 0)
        {
            return Task.CompletedTask;
        }

        var now = _timeProvider.GetUtcNow();
        var messages = new Message<byte[], byte[]>[list.Count];
        for (var i = 0; i < list.Count; i++)
        {
            var streamEvent = list[i] ?? throw new ArgumentException("Stream events must not be null.", nameof(events));
            messages[i] = _codec.Encode(streamId, streamEvent, now);
        }

        // All produce calls are issued before any is awaited: librdkafka keeps call order within a
        // partition (idempotence keeps it through retries), and the batch shares one round trip.
        var producer = Volatile.Read(ref _producer);
        var delivery = new PendingDelivery(this, producer, messages.Length, _timeProvider.GetTimestamp());
        for (var i = 0; i < messages.Length; i++)
        {
            try
            {
                producer.Produce(topicPartition, messages[i], delivery.OnReport);
            }
            catch (Exception exception)
            {
                // Not queued: this and the later events of the batch fail now; those queued complete as reported.
                KafkaStreamMetrics.ProduceErrors.Add(messages.Length - i, _tags);
                if (exception is KafkaException { Error.IsFatal: true } fatal)
                {
                    ReplaceFatallyFailedProducer(producer, fatal.Error);
                }

                delivery.NotQueued(messages.Length - i, exception);
                break;
            }
        }

        return delivery.Task;
    }

    /// <summary>
    /// One publish call's completion: a single object per call (not a task per event), completed by
    /// librdkafka's delivery reports once every event of the call is acknowledged or failed.
    /// </summary>
    private sealed class PendingDelivery : TaskCompletionSource
    {
        private readonly KafkaQueueAdapter _adapter;
        private readonly IProducer<byte[], byte[]> _producer;
        private readonly long _startedTimestamp;
        private int _remaining;
        private Exception? _error;

        public PendingDelivery(KafkaQueueAdapter adapter, IProducer<byte[], byte[]> producer, int count, long startedTimestamp)
            // Delivery reports run on librdkafka's poll thread: never run a publisher's continuation there.
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            _adapter = adapter;
            _producer = producer;
            _remaining = count;
            _startedTimestamp = startedTimestamp;
            OnReport = Report;
        }

        public Action<DeliveryReport<byte[], byte[]>> OnReport { get; }

        private void Report(DeliveryReport<byte[], byte[]> report)
        {
            if (report.Error.IsError)
            {
                KafkaStreamMetrics.ProduceErrors.Add(1, _adapter._tags);
                Interlocked.CompareExchange(ref _error, new ProduceException<byte[], byte[]>(report.Error, report), null);
                if (report.Error.IsFatal)
                {
                    _adapter.ReplaceFatallyFailedProducer(_producer, report.Error);
                }
            }
            else
            {
                KafkaStreamMetrics.Produced.Add(1, _adapter._tags);
                KafkaStreamMetrics.ProduceDuration.Record(_adapter._timeProvider.GetElapsedTime(_startedTimestamp).TotalMilliseconds, _adapter._tags);
            }

            Done(1);
        }

        public void NotQueued(int count, Exception exception)
        {
            Interlocked.CompareExchange(ref _error, exception, null);
            Done(count);
        }

        private void Done(int count)
        {
            if (Interlocked.Add(ref _remaining, -count) != 0)
            {
                return;
            }

            if (_error is { } error)
            {
                TrySetException(error);
            }
            else
            {
                TrySetResult();
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="message"/> (as read from <paramref name="source"/>) to the dead-letter
    /// topic with the reason in headers; completes once the broker acknowledged it (acks as for events).
    /// </summary>
    internal async Task DeadLetterAsync(Message<byte[], byte[]> message, TopicPartitionOffset source, string reason, string detail, Guid? subscriptionId)
    {
        var headers = new Headers();
        if (message.Headers is not null)
        {
            foreach (var header in message.Headers)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }

        headers.Add(KafkaStreamHeaders.DeadLetterReason, Encoding.UTF8.GetBytes(reason));
        headers.Add(KafkaStreamHeaders.DeadLetterDetail, Encoding.UTF8.GetBytes(Truncate(detail)));
        headers.Add(KafkaStreamHeaders.DeadLetterSourceTopic, Encoding.UTF8.GetBytes(source.Topic));
        headers.Add(KafkaStreamHeaders.DeadLetterSourcePartition, Encoding.UTF8.GetBytes(source.Partition.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add(KafkaStreamHeaders.DeadLetterSourceOffset, Encoding.UTF8.GetBytes(source.Offset.Value.ToString(CultureInfo.InvariantCulture)));
        headers.Add(KafkaStreamHeaders.DeadLetterConsumerGroup, Encoding.UTF8.GetBytes(_options.ConsumerGroupId));
        headers.Add(KafkaStreamHeaders.DeadLetterTime, Encoding.UTF8.GetBytes(_timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)));
        if (subscriptionId is { } subscription)
        {
            headers.Add(KafkaStreamHeaders.DeadLetterSubscription, Encoding.UTF8.GetBytes(subscription.ToString()));
        }

        var deadLetter = new Message<byte[], byte[]> { Key = message.Key, Value = message.Value, Headers = headers, Timestamp = message.Timestamp };
        var producer = Volatile.Read(ref _producer);
        try
        {
            await producer.ProduceAsync(_options.EffectiveDeadLetterTopic, deadLetter);
        }
        catch (KafkaException exception) when (exception.Error.IsFatal)
        {
            ReplaceFatallyFailedProducer(producer, exception.Error);
            throw;
        }

        KafkaStreamMetrics.DeadLettered.Add(1, KafkaStreamMetrics.ReasonTags(Name, _options.Topic, source.Partition.Value, reason));
        LogDeadLettered(_logger, Name, source.Topic, source.Partition.Value, source.Offset.Value, _options.EffectiveDeadLetterTopic, reason, detail);
    }

    /// <summary>Header values are kept short: a detail is a diagnosis, not a payload.</summary>
    private static string Truncate(string detail) => detail.Length <= DetailLengthMax ? detail : detail[..DetailLengthMax];

    private const int DetailLengthMax = 1_000;

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

            LogProducerReplaced(_logger, Name, error.Code, error.Reason);
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
        _buildProducer(new ProducerBuilder<byte[], byte[]>(KafkaClientConfigs.Producer(_options))
            .SetErrorHandler((_, error) => LogProducerError(_logger, Name, error.Code, error.Reason)));

    public void Dispose()
    {
        _monitor.Dispose();
        foreach (var receiver in _openReceivers.Values)
        {
            receiver.Dispose();
        }

        // Publishers await their deliveries, so nothing acknowledged is pending; the flush bound only
        // covers messages whose publisher was abandoned.
        _producer.Flush(TimeSpan.FromMilliseconds(_options.ProduceTimeoutMs));
        _producer.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': dead-lettered {Topic}[{Partition}]@{Offset} to '{DeadLetterTopic}' ({Reason}: {Detail}).")]
    private static partial void LogDeadLettered(ILogger logger, string provider, string topic, int partition, long offset, string deadLetterTopic, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka stream provider '{Provider}': producer failed fatally ({Code}: {Reason}); replacing it.")]
    private static partial void LogProducerReplaced(ILogger logger, string provider, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': producer reports {Code}: {Reason}")]
    private static partial void LogProducerError(ILogger logger, string provider, ErrorCode code, string reason);
}
