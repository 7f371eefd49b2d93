using System.Globalization;
using Confluent.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Start-up checks of the topics: the topic exists (created when asked) with the configured partition
/// count, since the queue mapper computes partitions from that count; its durability matches
/// <c>acks=all</c> (replication factor and <c>min.insync.replicas</c> at least
/// <see cref="KafkaStreamOptions.MinInSyncReplicas"/>); and the dead-letter topic exists.
/// </summary>
internal static partial class KafkaTopicVerifier
{
    private const string MinInSyncReplicasKey = "min.insync.replicas";

    /// <summary>Longest wait for the topic's configuration at start.</summary>
    private const int DescribeConfigsTimeoutMsMax = 3_000;

    public static async Task VerifyAsync(KafkaStreamOptions options, string providerName, ILogger logger, CancellationToken cancellationToken)
    {
        using var admin = new AdminClientBuilder(KafkaClientConfigs.Admin(options)).Build();
        var timeout = TimeSpan.FromMilliseconds(options.MetadataTimeoutMs);
        if (options.CreateTopicIfMissing)
        {
            await CreateTopicAsync(admin, options, options.Topic, options.PartitionCount, providerName, timeout, logger);
            await CreateTopicAsync(admin, options, options.EffectiveDeadLetterTopic, options.PartitionCount, providerName, timeout, logger);
        }

        // GetMetadata blocks its thread for up to the timeout; keep it off the Orleans scheduler.
        var metadata = await Task.Run(() => admin.GetMetadata(timeout), cancellationToken);
        var topic = Find(metadata, options.Topic);
        if (topic is null)
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

        if (options.ProducerAcks == Acks.All)
        {
            await CheckDurabilityAsync(admin, options, topic, providerName, timeout, logger);
        }

        if (Find(metadata, options.EffectiveDeadLetterTopic) is null)
        {
            // Not fatal: a broker that creates topics on first write creates it with the first dead
            // letter; otherwise the first poisoned message waits (its partition with it) and the
            // health check reports it until the topic exists. Nothing is skipped either way.
            LogDeadLetterTopicMissing(logger, providerName, options.EffectiveDeadLetterTopic);
        }

        LogTopicVerified(logger, providerName, options.Topic, topic.Partitions.Count);
    }

    private static TopicMetadata? Find(Metadata metadata, string name)
    {
        var topic = metadata.Topics.SingleOrDefault(t => t.Topic == name);
        return topic is null || topic.Error.Code == ErrorCode.UnknownTopicOrPart || topic.Partitions.Count == 0 ? null : topic;
    }

    /// <summary>
    /// acks=all waits for the in-sync replicas only; with <c>min.insync.replicas=1</c> (Kafka's default)
    /// that may be the leader alone, and a leader failure then loses an acknowledged event.
    /// </summary>
    private static async Task CheckDurabilityAsync(IAdminClient admin, KafkaStreamOptions options, TopicMetadata topic, string providerName, TimeSpan timeout, ILogger logger)
    {
        var required = options.MinInSyncReplicas;
        var replicationFactor = topic.Partitions.Min(p => p.Replicas.Length);
        var setting = $"{nameof(KafkaStreamOptions)}.{nameof(KafkaStreamOptions.MinInSyncReplicas)}";
        if (replicationFactor < required)
        {
            Report(options, logger, providerName,
                $"topic '{options.Topic}' has replication factor {replicationFactor}, below {setting} ({required}): acks=all cannot keep an acknowledged event through a broker failure.");
        }

        string? configured;
        try
        {
            // A broker answers in milliseconds; one without a controller (librdkafka's mock) never does,
            // so the wait is short and the outcome then a warning rather than a slower start.
            var describeTimeout = TimeSpan.FromMilliseconds(Math.Min(timeout.TotalMilliseconds, DescribeConfigsTimeoutMsMax));
            var described = await admin.DescribeConfigsAsync(
                [new ConfigResource { Type = ResourceType.Topic, Name = options.Topic }],
                new DescribeConfigsOptions { RequestTimeout = describeTimeout });
            configured = described.Single().Entries.GetValueOrDefault(MinInSyncReplicasKey)?.Value;
        }
        catch (KafkaException exception)
        {
            // librdkafka's mock broker (and brokers that refuse DescribeConfigs to this principal) cannot say.
            LogMinInSyncReplicasUnknown(logger, providerName, options.Topic, exception.Error.Reason, required);
            return;
        }

        if (!int.TryParse(configured, NumberStyles.None, CultureInfo.InvariantCulture, out var minInSync))
        {
            LogMinInSyncReplicasUnknown(logger, providerName, options.Topic, $"value '{configured}'", required);
            return;
        }

        if (minInSync < required)
        {
            Report(options, logger, providerName,
                $"topic '{options.Topic}' has {MinInSyncReplicasKey}={minInSync}, below {setting} ({required}): with acks=all a write is acknowledged " +
                $"once {minInSync} replica(s) have it. Raise it (kafka-configs --alter --add-config {MinInSyncReplicasKey}={required}) or lower {setting}.");
        }
    }

    private static void Report(KafkaStreamOptions options, ILogger logger, string providerName, string problem)
    {
        if (options.MinInSyncReplicasCheck == KafkaDurabilityCheck.Refuse)
        {
            throw new InvalidOperationException(
                $"Kafka stream provider '{providerName}': {problem} ({nameof(KafkaStreamOptions)}.{nameof(KafkaStreamOptions.MinInSyncReplicasCheck)} is Refuse; Warn starts anyway.)");
        }

        LogDurabilityWarning(logger, providerName, problem);
    }

    private static async Task CreateTopicAsync(IAdminClient admin, KafkaStreamOptions options, string name, int partitions, string providerName, TimeSpan timeout, ILogger logger)
    {
        try
        {
            await admin.CreateTopicsAsync(
                [new TopicSpecification
                {
                    Name = name,
                    NumPartitions = partitions,
                    ReplicationFactor = options.ReplicationFactor,
                    Configs = new Dictionary<string, string> { [MinInSyncReplicasKey] = options.MinInSyncReplicas.ToString(CultureInfo.InvariantCulture) },
                }],
                new CreateTopicsOptions { OperationTimeout = timeout, RequestTimeout = timeout });
            LogTopicCreated(logger, providerName, name, partitions, options.MinInSyncReplicas);
        }
        catch (CreateTopicsException exception) when (exception.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
        {
            // Another silo or an operator created it first; the checks below still apply.
        }
        catch (KafkaException exception)
        {
            throw new InvalidOperationException(
                $"Kafka stream provider '{providerName}': could not create topic '{name}': {exception.Error.Reason}", exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka stream provider '{Provider}': created topic '{Topic}' with {PartitionCount} partitions, min.insync.replicas={MinInSync}.")]
    private static partial void LogTopicCreated(ILogger logger, string provider, string topic, int partitionCount, short minInSync);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka stream provider '{Provider}': topic '{Topic}' has {PartitionCount} partitions, as configured.")]
    private static partial void LogTopicVerified(ILogger logger, string provider, string topic, int partitionCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': {Problem}")]
    private static partial void LogDurabilityWarning(ILogger logger, string provider, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': could not read min.insync.replicas of topic '{Topic}' ({Reason}); make sure it is at least {Required} for acks=all to survive a broker failure.")]
    private static partial void LogMinInSyncReplicasUnknown(ILogger logger, string provider, string topic, string reason, short required);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': dead-letter topic '{Topic}' does not exist yet. A broker that creates topics on write creates it with the first dead letter; otherwise a partition with an undecodable message waits (health check: DeadLetterPending) until it exists.")]
    private static partial void LogDeadLetterTopicMissing(ILogger logger, string provider, string topic);
}
