using Confluent.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Start-up check that the topic exists (creating it when asked) and has the configured partition
/// count: the queue mapper computes partitions from that count, so a different real count would
/// route users to other partitions than other producers do.
/// </summary>
internal static partial class KafkaTopicVerifier
{
    public static async Task VerifyAsync(KafkaStreamOptions options, string providerName, ILogger logger, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(options)).Build();
        var timeout = TimeSpan.FromMilliseconds(options.MetadataTimeoutMs);
        if (options.CreateTopicIfMissing)
        {
            await CreateTopicAsync(admin, options, providerName, timeout, logger);
        }

        // GetMetadata blocks its thread for up to the timeout; keep it off the Orleans scheduler.
        var metadata = await Task.Run(() => admin.GetMetadata(options.Topic, timeout), cancellationToken);
        var topic = metadata.Topics.SingleOrDefault(t => t.Topic == options.Topic);
        if (topic is null || topic.Error.Code == ErrorCode.UnknownTopicOrPart || topic.Partitions.Count == 0)
        {
            throw new InvalidOperationException(
                $"Kafka stream provider '{providerName}': topic '{options.Topic}' does not exist on {options.BootstrapServers}. " +
                $"Create it with {options.PartitionCount} partitions, or set {nameof(KafkaStreamOptions)}.{nameof(KafkaStreamOptions.CreateTopicIfMissing)}.");
        }

        if (topic.Partitions.Count != options.PartitionCount)
        {
            throw new InvalidOperationException(
                $"Kafka stream provider '{providerName}': topic '{options.Topic}' has {topic.Partitions.Count} partitions but " +
                $"{nameof(KafkaStreamOptions)}.{nameof(KafkaStreamOptions.PartitionCount)} is {options.PartitionCount}. " +
                "They must match: a key's partition is murmur2(key) % partition count.");
        }

        LogTopicVerified(logger, providerName, options.Topic, topic.Partitions.Count);
    }

    private static async Task CreateTopicAsync(IAdminClient admin, KafkaStreamOptions options, string providerName, TimeSpan timeout, ILogger logger)
    {
        try
        {
            await admin.CreateTopicsAsync(
                [new TopicSpecification { Name = options.Topic, NumPartitions = options.PartitionCount, ReplicationFactor = options.ReplicationFactor }],
                new CreateTopicsOptions { OperationTimeout = timeout, RequestTimeout = timeout });
            LogTopicCreated(logger, providerName, options.Topic, options.PartitionCount);
        }
        catch (CreateTopicsException exception) when (exception.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
        {
            // Another silo or an operator created it first; the partition check below still applies.
        }
        catch (KafkaException exception)
        {
            throw new InvalidOperationException(
                $"Kafka stream provider '{providerName}': could not create topic '{options.Topic}': {exception.Error.Reason}", exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka stream provider '{Provider}': created topic '{Topic}' with {PartitionCount} partitions.")]
    private static partial void LogTopicCreated(ILogger logger, string provider, string topic, int partitionCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka stream provider '{Provider}': topic '{Topic}' has {PartitionCount} partitions, as configured.")]
    private static partial void LogTopicVerified(ILogger logger, string provider, string topic, int partitionCount);
}
