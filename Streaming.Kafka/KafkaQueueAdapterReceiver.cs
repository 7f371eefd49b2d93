using System.Diagnostics.Metrics;
using Confluent.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Reads one Kafka partition for the Orleans queue of the same number. It assigns the partition
/// itself (no group rebalancing: the Orleans queue balancer decides which silo owns it), starts at
/// the group's committed offset, and stores an offset only once Orleans reports the events before it
/// delivered; librdkafka's auto-committer then commits what was stored.
/// </summary>
internal sealed partial class KafkaQueueAdapterReceiver : IQueueAdapterReceiver, IDisposable
{
    private readonly string _providerName;
    private readonly TopicPartition _topicPartition;
    private readonly KafkaStreamOptions _options;
    private readonly KafkaMessageCodec _codec;
    private readonly ILogger _logger;
    private readonly System.Diagnostics.TagList _tags;
    private readonly Action<KafkaQueueAdapterReceiver> _onClosed;
    private IConsumer<byte[], byte[]>? _consumer;
    private IDisposable? _lagRegistration;
    private long _positionOffset = Offset.Unset.Value;
    private long _highWatermarkOffset = Offset.Unset.Value;

    public KafkaQueueAdapterReceiver(
        string providerName, int partition, KafkaStreamOptions options, KafkaMessageCodec codec, ILogger logger, Action<KafkaQueueAdapterReceiver> onClosed)
    {
        _onClosed = onClosed;
        _providerName = providerName;
        _topicPartition = new TopicPartition(options.Topic, new Partition(partition));
        _options = options;
        _codec = codec;
        _logger = logger;
        _tags = KafkaStreamMetrics.PartitionTags(providerName, options.Topic, partition);
    }

    public Task Initialize(TimeSpan timeout)
    {
        _consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.Consumer(_options))
            .SetErrorHandler((_, error) => LogKafkaError(_logger, _providerName, _topicPartition.Partition.Value, error.Code, error.Reason))
            .SetLogHandler((_, message) => LogKafkaClientMessage(_logger, _providerName, message.Facility, message.Message))
            .Build();
        // Offset.Stored: the group's committed offset, or auto.offset.reset when the group has none.
        _consumer.Assign(new TopicPartitionOffset(_topicPartition, Offset.Stored));
        _lagRegistration = KafkaStreamMetrics.RegisterLagSource(ObserveLag);
        LogAssigned(_logger, _providerName, _topicPartition.Topic, _topicPartition.Partition.Value, _options.ConsumerGroupId);
        return Task.CompletedTask;
    }

    // Orleans 10 marks the overloads without a token obsolete but still requires them.
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    // Reads never wait (see below), so there is nothing for the token to cancel.
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        var consumer = _consumer;
        if (consumer is null)
        {
            return Task.FromResult<IList<IBatchContainer>>([]);
        }

        var countMax = maxCount < 0 ? _options.ReadBatchSizeMax : Math.Min(maxCount, _options.ReadBatchSizeMax);
        var batch = new List<IBatchContainer>(Math.Min(countMax, 64));
        var skipped = 0;
        while (batch.Count < countMax)
        {
            // A zero timeout only takes what librdkafka has already fetched in the background, so
            // the Orleans scheduler thread never waits on the network.
            var result = consumer.Consume(TimeSpan.Zero);
            if (result is null)
            {
                break;
            }

            if (result.IsPartitionEOF)
            {
                continue;
            }

            Volatile.Write(ref _positionOffset, result.Offset.Value + 1);
            if (_codec.TryDecode(result, out var container, out var rejection))
            {
                batch.Add(container!);
            }
            else
            {
                skipped++;
                LogSkipped(_logger, _providerName, result.Topic, result.Partition.Value, result.Offset.Value, rejection!);
            }
        }

        var watermarks = consumer.GetWatermarkOffsets(_topicPartition);
        if (watermarks.High != Offset.Unset)
        {
            Volatile.Write(ref _highWatermarkOffset, watermarks.High.Value);
        }

        if (batch.Count > 0)
        {
            KafkaStreamMetrics.Consumed.Add(batch.Count, _tags);
        }

        if (skipped > 0)
        {
            KafkaStreamMetrics.ConsumeSkipped.Add(skipped, _tags);
        }

        return Task.FromResult<IList<IBatchContainer>>(batch);
    }

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        var consumer = _consumer;
        if (consumer is null || messages.Count == 0)
        {
            return Task.CompletedTask;
        }

        var deliveredOffsetMax = messages.Cast<KafkaBatchContainer>().Max(m => m.Offset);
        // Kafka's committed offset is the next one to read.
        consumer.StoreOffset(new TopicPartitionOffset(_topicPartition, new Offset(deliveredOffsetMax + 1)));
        return Task.CompletedTask;
    }

    public async Task Shutdown(TimeSpan timeout)
    {
        var consumer = Interlocked.Exchange(ref _consumer, null);
        _lagRegistration?.Dispose();
        _onClosed(this);
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
                LogCommitFailed(_logger, exception, _providerName, _topicPartition.Partition.Value);
            }
            finally
            {
                consumer.Close();
                consumer.Dispose();
            }
        }).WaitAsync(timeout);
        LogReleased(_logger, _providerName, _topicPartition.Topic, _topicPartition.Partition.Value);
    }

    /// <summary>
    /// Releases the consumer of a receiver Orleans never shut down (the silo stopped abruptly); it
    /// stores no further offsets, so the next owner re-reads what this one did not report delivered.
    /// </summary>
    public void Dispose()
    {
        _lagRegistration?.Dispose();
        Interlocked.Exchange(ref _consumer, null)?.Dispose();
    }

    private Measurement<long>? ObserveLag()
    {
        var high = Volatile.Read(ref _highWatermarkOffset);
        var position = Volatile.Read(ref _positionOffset);
        if (high < 0 || position < 0)
        {
            return null;
        }

        return new Measurement<long>(Math.Max(0, high - position), _tags);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka stream provider '{Provider}': reading {Topic}[{Partition}] from group '{Group}' committed offset.")]
    private static partial void LogAssigned(ILogger logger, string provider, string topic, int partition, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka stream provider '{Provider}': released {Topic}[{Partition}].")]
    private static partial void LogReleased(ILogger logger, string provider, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': skipped {Topic}[{Partition}]@{Offset}: {Reason}.")]
    private static partial void LogSkipped(ILogger logger, string provider, string topic, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': final commit of partition {Partition} failed.")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, string provider, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': consumer of partition {Partition} reports {Code}: {Reason}.")]
    private static partial void LogKafkaError(ILogger logger, string provider, int partition, ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kafka stream provider '{Provider}': librdkafka {Facility}: {Message}")]
    private static partial void LogKafkaClientMessage(ILogger logger, string provider, string facility, string message);
}
