using System.Threading.Channels;
using Confluent.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Reads one Kafka partition for the Orleans queue of the same number. It assigns the partition
/// itself (no group rebalancing: the Orleans queue balancer decides which silo owns it), starts at
/// the group's committed offset, and stores an offset only once Orleans reports the events before it
/// delivered (or they are recorded in the dead-letter topic); librdkafka's auto-committer then commits
/// what was stored.
/// </summary>
/// <remarks>
/// A reader thread takes messages from librdkafka as they arrive and decodes them into a bounded
/// buffer; a read by the pulling agent drains the buffer and, when it is empty, waits up to
/// <see cref="KafkaStreamOptions.ReadWaitMs"/> for the next message. Nothing read is ever dropped:
/// a consumer error is counted and reading goes on from where it was, and a message that cannot be
/// decoded stays at the head of the partition until it is dead-lettered (or stops the partition).
/// </remarks>
internal sealed partial class KafkaQueueAdapterReceiver : IQueueAdapterReceiver, IDisposable
{
    /// <summary>How long one blocking consume waits; bounds how fast the reader thread notices a stop.</summary>
    private static readonly TimeSpan ConsumeWait = TimeSpan.FromMilliseconds(100);

    /// <summary>Pause after a consumer error before reading again, so a broken connection does not spin.</summary>
    private static readonly TimeSpan ConsumeErrorBackoff = TimeSpan.FromMilliseconds(100);

    /// <summary>How often dead letters of failed deliveries that could not be written are tried again.</summary>
    private static readonly TimeSpan DeadLetterRetryPeriod = TimeSpan.FromSeconds(1);

    private readonly string _providerName;
    private readonly TopicPartition _topicPartition;
    private readonly KafkaStreamOptions _options;
    private readonly KafkaMessageCodec _codec;
    private readonly KafkaQueueAdapter _adapter;
    private readonly KafkaStreamHealth _health;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly System.Diagnostics.TagList _tags;
    private readonly Action<KafkaQueueAdapterReceiver> _onClosed;
    private readonly Channel<ReadItem> _buffer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _consumerLock = new();
    private readonly Lock _offsetsLock = new();
    private KafkaPartitionState? _state;
    private IConsumer<byte[], byte[]>? _consumer;
    private Task? _readLoop;
    private Task? _deadLetterRetryLoop;

    /// <summary>A message that could not be decoded and is not dead-lettered yet: nothing after it is handed over.</summary>
    private ReadItem? _held;
    private string? _stoppedReason;

    /// <summary>Events handed to Orleans and not yet purged from its cache, by offset (ascending).</summary>
    private readonly SortedDictionary<long, KafkaBatchContainer> _inCache = new();

    /// <summary>Failed deliveries whose dead letter could not be written yet; no offset past them is stored.</summary>
    private readonly SortedDictionary<long, (KafkaBatchContainer Container, Guid Subscription)> _deadLettersPending = new();
    private long _storedOffset = -1;
    private long _nextReadOffset = -1;

    public KafkaQueueAdapterReceiver(
        string providerName, int partition, KafkaStreamOptions options, KafkaMessageCodec codec, KafkaQueueAdapter adapter,
        KafkaStreamHealth health, TimeProvider timeProvider, ILogger logger, Action<KafkaQueueAdapterReceiver> onClosed)
    {
        _onClosed = onClosed;
        _providerName = providerName;
        _topicPartition = new TopicPartition(options.Topic, new Partition(partition));
        _options = options;
        _codec = codec;
        _adapter = adapter;
        _health = health;
        _timeProvider = timeProvider;
        _logger = logger;
        _tags = KafkaStreamMetrics.PartitionTags(providerName, options.Topic, partition);
        _buffer = Channel.CreateBounded<ReadItem>(new BoundedChannelOptions(options.ReadBatchSizeMax)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public int Partition => _topicPartition.Partition.Value;

    /// <summary>One message as read: its event, or why it has none.</summary>
    private sealed record ReadItem(ConsumeResult<byte[], byte[]> Result, KafkaBatchContainer? Container, string Reason, string Detail);

    public Task Initialize(TimeSpan timeout)
    {
        _state = _health.Open(Partition);
        // Offset.Stored: the group's committed offset, or auto.offset.reset when the group has none.
        _consumer = NewConsumer(Offset.Stored);
        _readLoop = Task.Factory.StartNew(ReadLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        LogAssigned(_logger, _providerName, _topicPartition.Topic, Partition, _options.ConsumerGroupId);
        return Task.CompletedTask;
    }

    private IConsumer<byte[], byte[]> NewConsumer(Offset start)
    {
        var builder = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Consumer(_options))
            .SetErrorHandler((_, error) => LogKafkaError(_logger, _providerName, Partition, error.Code, error.Reason))
            .SetLogHandler((_, message) => LogKafkaClientMessage(_logger, _providerName, message.Facility, message.Message));
        var consumer = _adapter.NewConsumer(builder);
        consumer.Assign(new TopicPartitionOffset(_topicPartition, start));
        return consumer;
    }

    /// <summary>The reader thread: librdkafka to the buffer, decoding on the way.</summary>
    private void ReadLoop()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = CurrentConsumer()?.Consume(ConsumeWait);
            }
            catch (ConsumeException exception)
            {
                OnConsumeError(exception.Error);
                continue;
            }
            catch (KafkaException exception)
            {
                OnConsumeError(exception.Error);
                continue;
            }
            catch (ObjectDisposedException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            Volatile.Write(ref _nextReadOffset, result.Offset.Value + 1);
            var item = _codec.TryDecode(result, out var container, out var reason, out var detail)
                ? new ReadItem(result, container, "", "")
                : new ReadItem(result, null, reason, detail);
            try
            {
                while (!_buffer.Writer.TryWrite(item))
                {
                    // Full: Orleans reads slower than Kafka delivers (its cache is under pressure). Waiting
                    // here lets librdkafka's own queue fill and pause fetching.
                    if (!_buffer.Writer.WaitToWriteAsync(stopping).AsTask().GetAwaiter().GetResult())
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private IConsumer<byte[], byte[]>? CurrentConsumer()
    {
        lock (_consumerLock) return _consumer;
    }

    /// <summary>
    /// A consumer error never loses a message: what was read is in the buffer, and reading resumes at
    /// the next offset. A fatal error replaces the consumer, positioned at the first message not read.
    /// </summary>
    private void OnConsumeError(Error error)
    {
        KafkaStreamMetrics.ConsumeErrors.Add(1, _tags);
        _state?.ConsumeError($"{error.Code}: {error.Reason}");
        LogConsumeError(_logger, _providerName, Partition, error.Code, error.Reason, error.IsFatal);
        if (error.IsFatal)
        {
            var next = Volatile.Read(ref _nextReadOffset);
            IConsumer<byte[], byte[]>? failed;
            lock (_consumerLock)
            {
                failed = _consumer;
                _consumer = NewConsumer(next >= 0 ? new Offset(next) : Offset.Stored);
                if (_storedOffset >= 0)
                {
                    // Offsets stored on the failed consumer and not committed yet are stored again here.
                    _consumer.StoreOffset(new TopicPartitionOffset(_topicPartition, new Offset(_storedOffset)));
                }
            }

            failed?.Dispose();
        }

        _stopping.Token.WaitHandle.WaitOne(ConsumeErrorBackoff);
    }

    // Orleans 10 marks the overloads without a token obsolete but still requires them.
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        var state = _state;
        if (state is null || _consumer is null)
        {
            return [];
        }

        state.Polled(_timeProvider.GetTimestamp());
        if (_stoppedReason is not null)
        {
            return [];
        }

        if (_held is { } held)
        {
            if (!await TryDisposeOfUndecodableAsync(held))
            {
                return [];
            }

            _held = null;
        }

        var countMax = maxCount < 0 ? _options.ReadBatchSizeMax : Math.Min(maxCount, _options.ReadBatchSizeMax);
        List<IBatchContainer>? batch = null;
        var waited = false;
        while ((batch?.Count ?? 0) < countMax)
        {
            if (!_buffer.Reader.TryRead(out var item))
            {
                if (batch is not null || waited || !await WaitForMessageAsync(cancellationToken))
                {
                    break;
                }

                waited = true;
                continue;
            }

            if (item.Container is { } container)
            {
                (batch ??= new List<IBatchContainer>(Math.Min(countMax, 64))).Add(container);
                continue;
            }

            if (!await TryDisposeOfUndecodableAsync(item))
            {
                _held = item;
                break;
            }
        }

        if (batch is null)
        {
            return [];
        }

        lock (_offsetsLock)
        {
            foreach (KafkaBatchContainer container in batch)
            {
                _inCache[container.Offset] = container;
            }
        }

        state.HandedOver(((KafkaBatchContainer)batch[^1]).Offset + 1, _timeProvider.GetTimestamp());
        KafkaStreamMetrics.Consumed.Add(batch.Count, _tags);
        return batch;
    }

    /// <summary>Waits up to <see cref="KafkaStreamOptions.ReadWaitMs"/> for a message; true when one is buffered.</summary>
    private async Task<bool> WaitForMessageAsync(CancellationToken cancellationToken)
    {
        if (_options.ReadWaitMs == 0 || cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        wait.CancelAfter(_options.ReadWaitMs);
        // A timeout is the normal outcome on a quiet partition: no exception for it.
        await ((Task)_buffer.Reader.WaitToReadAsync(wait.Token).AsTask()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        return _buffer.Reader.TryPeek(out _);
    }

    /// <summary>
    /// Dead-letters (or, by option, stops at) a message that cannot be decoded. False while it is not
    /// done: the message stays at the head of the partition and is tried again on the next read.
    /// </summary>
    private async Task<bool> TryDisposeOfUndecodableAsync(ReadItem item)
    {
        var source = item.Result.TopicPartitionOffset;
        if (_options.PoisonMessageHandling == KafkaPoisonMessageHandling.StopPartition)
        {
            _stoppedReason = $"message at offset {source.Offset.Value} cannot be decoded ({item.Reason}: {item.Detail}); " +
                $"{nameof(KafkaStreamOptions)}.{nameof(KafkaStreamOptions.PoisonMessageHandling)} is {nameof(KafkaPoisonMessageHandling.StopPartition)}";
            _state?.Stopped(_stoppedReason);
            LogPartitionStopped(_logger, _providerName, source.Topic, Partition, source.Offset.Value, item.Reason, item.Detail);
            return false;
        }

        try
        {
            await _adapter.DeadLetterAsync(item.Result.Message, source, item.Reason, item.Detail, subscriptionId: null);
        }
        catch (Exception exception) when (exception is KafkaException or InvalidOperationException)
        {
            var problem = $"offset {source.Offset.Value} ({item.Reason}) to '{_options.EffectiveDeadLetterTopic}': {exception.Message}";
            _state?.DeadLetterPending(problem);
            LogDeadLetterFailed(_logger, exception, _providerName, source.Topic, Partition, source.Offset.Value, _options.EffectiveDeadLetterTopic);
            return false;
        }

        _state?.DeadLetterPending(null);
        _state?.DeadLettered();
        return true;
    }

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return Task.CompletedTask;
        }

        var deliveredOffsetMax = long.MinValue;
        foreach (KafkaBatchContainer message in messages)
        {
            deliveredOffsetMax = Math.Max(deliveredOffsetMax, message.Offset);
        }

        lock (_offsetsLock)
        {
            // The cache purges oldest first, so everything up to the newest purged event has left it
            // (events whose delivery failed are purged without being reported).
            while (_inCache.Count > 0 && _inCache.First().Key <= deliveredOffsetMax)
            {
                _inCache.Remove(_inCache.First().Key);
            }

            StoreOffset(deliveredOffsetMax + 1);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stores <paramref name="next"/> (Kafka's committed offset is the next one to read), never past a pending dead letter.</summary>
    private void StoreOffset(long next)
    {
        if (_deadLettersPending.Count > 0)
        {
            next = Math.Min(next, _deadLettersPending.First().Key);
        }

        if (next <= _storedOffset)
        {
            return;
        }

        lock (_consumerLock)
        {
            if (_consumer is null)
            {
                return;
            }

            _consumer.StoreOffset(new TopicPartitionOffset(_topicPartition, new Offset(next)));
        }

        _storedOffset = next;
    }

    /// <summary>
    /// Orleans gave up delivering the event(s) at <paramref name="token"/> to a subscription: they are
    /// written to the dead-letter topic before the cursor moves on. If that write fails, no offset past
    /// them is stored (a restart delivers them again) and the write is retried until it succeeds.
    /// </summary>
    public async Task OnDeliveryFailedAsync(Guid subscriptionId, StreamId streamId, StreamSequenceToken? token, int deliveryBatchSize)
    {
        if (token is null)
        {
            _state?.Error($"a delivery to subscription {subscriptionId} on stream {streamId} failed with no event position");
            LogDeliveryFailedWithoutToken(_logger, _providerName, Partition, subscriptionId, streamId.ToString());
            return;
        }

        List<KafkaBatchContainer> failed;
        lock (_offsetsLock)
        {
            failed = _inCache.Values
                .Where(c => c.Offset >= token.SequenceNumber && c.StreamId.Equals(streamId))
                .Take(deliveryBatchSize)
                .ToList();
        }

        if (failed.Count == 0)
        {
            _state?.Error($"the event at offset {token.SequenceNumber} that subscription {subscriptionId} failed on had left the cache");
            LogFailedEventNotInCache(_logger, _providerName, Partition, token.SequenceNumber, subscriptionId);
            return;
        }

        foreach (var container in failed)
        {
            if (!await TryDeadLetterFailedDeliveryAsync(container, subscriptionId))
            {
                lock (_offsetsLock)
                {
                    _deadLettersPending[container.Offset] = (container, subscriptionId);
                }

                EnsureDeadLetterRetries();
            }
        }
    }

    private async Task<bool> TryDeadLetterFailedDeliveryAsync(KafkaBatchContainer container, Guid subscriptionId)
    {
        var source = new TopicPartitionOffset(_topicPartition, new Offset(container.Offset));
        var message = container.Raw ?? throw new InvalidOperationException($"event at offset {container.Offset} has no raw message");
        try
        {
            await _adapter.DeadLetterAsync(message, source, KafkaDeadLetterReasons.DeliveryFailed,
                $"subscription {subscriptionId} on stream {container.StreamId} did not accept it within StreamPullingAgentOptions.MaxEventDeliveryTime", subscriptionId);
            _state?.DeadLettered();
            return true;
        }
        catch (KafkaException exception)
        {
            _state?.DeadLetterPending($"offset {container.Offset} ({KafkaDeadLetterReasons.DeliveryFailed}) to '{_options.EffectiveDeadLetterTopic}': {exception.Message}");
            LogDeadLetterFailed(_logger, exception, _providerName, _topicPartition.Topic, Partition, container.Offset, _options.EffectiveDeadLetterTopic);
            return false;
        }
    }

    private void EnsureDeadLetterRetries()
    {
        lock (_offsetsLock)
        {
            if (_deadLetterRetryLoop is { IsCompleted: false })
            {
                return;
            }

            _deadLetterRetryLoop = Task.Run(RetryDeadLettersAsync);
        }
    }

    private async Task RetryDeadLettersAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            await Task.Delay(DeadLetterRetryPeriod, _timeProvider, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            List<(KafkaBatchContainer Container, Guid Subscription)> pending;
            lock (_offsetsLock) pending = _deadLettersPending.Values.ToList();
            foreach (var (container, subscription) in pending)
            {
                if (!await TryDeadLetterFailedDeliveryAsync(container, subscription))
                {
                    break;
                }

                lock (_offsetsLock) _deadLettersPending.Remove(container.Offset);
            }

            lock (_offsetsLock)
            {
                if (_deadLettersPending.Count == 0)
                {
                    _state?.DeadLetterPending(null);
                    return;
                }
            }
        }
    }

    public async Task Shutdown(TimeSpan timeout)
    {
        await _stopping.CancelAsync();
        if (_readLoop is { } readLoop)
        {
            await readLoop.WaitAsync(timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        IConsumer<byte[], byte[]>? consumer;
        lock (_consumerLock)
        {
            consumer = _consumer;
            _consumer = null;
        }

        Close();
        if (consumer is null)
        {
            return;
        }

        // Commit and Close wait on the broker; run them off the Orleans scheduler.
        await Task.Run(() =>
        {
            try
            {
                consumer.Commit();
            }
            catch (KafkaException exception) when (exception.Error.Code == ErrorCode.Local_NoOffset)
            {
                // Nothing delivered since the last commit.
            }
            catch (KafkaException exception)
            {
                // The next owner re-reads from the last commit: duplicates, never loss.
                LogCommitFailed(_logger, exception, _providerName, Partition);
            }
            finally
            {
                consumer.Close();
                consumer.Dispose();
            }
        }).WaitAsync(timeout);
        LogReleased(_logger, _providerName, _topicPartition.Topic, Partition);
    }

    private void Close()
    {
        if (_state is { } state)
        {
            _health.Close(state);
        }

        _onClosed(this);
    }

    /// <summary>
    /// Releases the consumer of a receiver Orleans never shut down (the silo stopped abruptly); it
    /// stores no further offsets, so the next owner re-reads what this one did not report delivered.
    /// </summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _readLoop?.Wait(ConsumeWait * 5);
        Close();
        IConsumer<byte[], byte[]>? consumer;
        lock (_consumerLock)
        {
            consumer = _consumer;
            _consumer = null;
        }

        consumer?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka stream provider '{Provider}': reading {Topic}[{Partition}] from group '{Group}' committed offset.")]
    private static partial void LogAssigned(ILogger logger, string provider, string topic, int partition, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka stream provider '{Provider}': released {Topic}[{Partition}].")]
    private static partial void LogReleased(ILogger logger, string provider, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka stream provider '{Provider}': partition {Topic}[{Partition}] stopped at offset {Offset}: {Reason}: {Detail}. Nothing after it is delivered until an operator acts.")]
    private static partial void LogPartitionStopped(ILogger logger, string provider, string topic, int partition, long offset, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka stream provider '{Provider}': cannot dead-letter {Topic}[{Partition}]@{Offset} to '{DeadLetterTopic}'; the partition does not move past it until this succeeds.")]
    private static partial void LogDeadLetterFailed(ILogger logger, Exception exception, string provider, string topic, int partition, long offset, string deadLetterTopic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka stream provider '{Provider}': a delivery on partition {Partition} to subscription {Subscription} on stream {Stream} failed and Orleans gave no event position; nothing could be dead-lettered.")]
    private static partial void LogDeliveryFailedWithoutToken(ILogger logger, string provider, int partition, Guid subscription, string stream);

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka stream provider '{Provider}': the event at partition {Partition} offset {Offset} that subscription {Subscription} failed on is no longer cached; it was not dead-lettered.")]
    private static partial void LogFailedEventNotInCache(ILogger logger, string provider, int partition, long offset, Guid subscription);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': final commit of partition {Partition} failed.")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, string provider, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': reading partition {Partition} failed ({Code}: {Reason}, fatal: {Fatal}); messages already read are kept, reading resumes at the next offset.")]
    private static partial void LogConsumeError(ILogger logger, string provider, int partition, ErrorCode code, string reason, bool fatal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': consumer of partition {Partition} reports {Code}: {Reason}.")]
    private static partial void LogKafkaError(ILogger logger, string provider, int partition, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kafka stream provider '{Provider}': librdkafka {Facility}: {Message}")]
    private static partial void LogKafkaClientMessage(ILogger logger, string provider, string facility, string message);
}
