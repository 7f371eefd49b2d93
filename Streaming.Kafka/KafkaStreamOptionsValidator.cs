using System.Text.RegularExpressions;
using Confluent.Kafka;
using Orleans;
using Orleans.Runtime;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Fails silo or client start-up when <see cref="KafkaStreamOptions"/> cannot work, naming the field.
/// </summary>
internal sealed partial class KafkaStreamOptionsValidator(KafkaStreamOptions options, string providerName) : IConfigurationValidator
{
    /// <summary>
    /// Consumer settings the delivery guarantee rests on: offsets are stored only for delivered
    /// events and committed by the auto-committer, under the configured group.
    /// </summary>
    internal static readonly IReadOnlySet<string> ReservedConsumerKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "bootstrap.servers", "group.id", "enable.auto.commit", "enable.auto.offset.store",
    };

    /// <summary>
    /// Producer settings the provider owns: each has its own option (validated here) or is what the
    /// delivery guarantee rests on (acks, idempotence, where partitions come from). Applied last anyway.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> ReservedProducerKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["bootstrap.servers"] = nameof(KafkaStreamOptions.BootstrapServers),
        ["acks"] = nameof(KafkaStreamOptions.ProducerAcks),
        ["request.required.acks"] = nameof(KafkaStreamOptions.ProducerAcks),
        ["enable.idempotence"] = nameof(KafkaStreamOptions.EnableIdempotence),
        ["compression.type"] = nameof(KafkaStreamOptions.Compression),
        ["compression.codec"] = nameof(KafkaStreamOptions.Compression),
        ["linger.ms"] = nameof(KafkaStreamOptions.LingerMs),
        ["queue.buffering.max.ms"] = nameof(KafkaStreamOptions.LingerMs),
        ["message.timeout.ms"] = nameof(KafkaStreamOptions.ProduceTimeoutMs),
        ["delivery.timeout.ms"] = nameof(KafkaStreamOptions.ProduceTimeoutMs),
        ["partitioner"] = "the provider (stream events carry their murmur2 partition)",
        ["dotnet.producer.enable.delivery.report.fields"] = "the provider",
        ["dotnet.producer.enable.delivery.reports"] = "the provider (publishers wait for their delivery report)",
        ["transactional.id"] = "the provider (transactions are not supported)",
    };

    /// <summary>With idempotence the broker keeps order only for up to 5 requests in flight per partition.</summary>
    private const int InFlightRequestsMax = 5;

    private static readonly string[] InFlightKeys = ["max.in.flight.requests.per.connection", "max.in.flight"];

    private const int LingerMsMax = 900_000;

    /// <summary>A waiting read holds the pulling agent (no purge, no commit) meanwhile: keep it short.</summary>
    private const int ReadWaitMsMax = 1_000;

    private const int PullPeriodMsMax = 10_000;

    /// <summary>A batch is retried and dead-lettered whole; beyond this a single failure repeats too much.</summary>
    private const int DeliveryBatchSizeMax = 1_000;
    private const int HealthCheckIntervalMsMin = 100;

    public void ValidateConfiguration()
    {
        var errors = Validate(options).ToList();
        if (errors.Count > 0)
        {
            throw new OrleansConfigurationException(
                $"Invalid {nameof(KafkaStreamOptions)} for Kafka stream provider '{providerName}': {string.Join(" ", errors)}");
        }
    }

    internal static IEnumerable<string> Validate(KafkaStreamOptions o)
    {
        const string Prefix = nameof(KafkaStreamOptions) + ".";
        if (string.IsNullOrWhiteSpace(o.BootstrapServers))
            yield return $"{Prefix}{nameof(o.BootstrapServers)} is required (comma-separated host:port list).";
        if (string.IsNullOrWhiteSpace(o.Topic))
            yield return $"{Prefix}{nameof(o.Topic)} is required.";
        else if (o.Topic.Length > KafkaStreamOptions.TopicNameLengthMax || !TopicName().IsMatch(o.Topic) || o.Topic is "." or "..")
            yield return $"{Prefix}{nameof(o.Topic)} '{o.Topic}' is not a valid Kafka topic name (letters, digits, '.', '_', '-'; at most {KafkaStreamOptions.TopicNameLengthMax} characters).";
        if (o.PartitionCount is < 1 or > KafkaStreamOptions.PartitionCountMax)
            yield return $"{Prefix}{nameof(o.PartitionCount)} must be between 1 and {KafkaStreamOptions.PartitionCountMax}; it is {o.PartitionCount}.";
        if (o.CreateTopicIfMissing && o.ReplicationFactor < 1)
            yield return $"{Prefix}{nameof(o.ReplicationFactor)} must be at least 1 when {nameof(o.CreateTopicIfMissing)} is set; it is {o.ReplicationFactor}.";
        if (string.IsNullOrWhiteSpace(o.ConsumerGroupId))
            yield return $"{Prefix}{nameof(o.ConsumerGroupId)} is required: committed offsets are stored under it.";
        if (o.EnableIdempotence && o.ProducerAcks != Acks.All)
            yield return $"{Prefix}{nameof(o.EnableIdempotence)} requires {nameof(o.ProducerAcks)} = All; it is {o.ProducerAcks}.";
        if (o.LingerMs is < 0 or > LingerMsMax)
            yield return $"{Prefix}{nameof(o.LingerMs)} must be between 0 and {LingerMsMax}; it is {o.LingerMs}.";
        if (o.ProduceTimeoutMs < 1)
            yield return $"{Prefix}{nameof(o.ProduceTimeoutMs)} must be positive; it is {o.ProduceTimeoutMs}.";
        if (o.FetchMinBytes < 1)
            yield return $"{Prefix}{nameof(o.FetchMinBytes)} must be positive; it is {o.FetchMinBytes}.";
        if (o.FetchMaxWaitMs < 0)
            yield return $"{Prefix}{nameof(o.FetchMaxWaitMs)} must not be negative; it is {o.FetchMaxWaitMs}.";
        if (o.MaxPartitionFetchBytes < 1)
            yield return $"{Prefix}{nameof(o.MaxPartitionFetchBytes)} must be positive; it is {o.MaxPartitionFetchBytes}.";
        if (o.CommitIntervalMs < 1)
            yield return $"{Prefix}{nameof(o.CommitIntervalMs)} must be positive; it is {o.CommitIntervalMs}.";
        if (o.ReadBatchSizeMax < 1)
            yield return $"{Prefix}{nameof(o.ReadBatchSizeMax)} must be positive; it is {o.ReadBatchSizeMax}.";
        if (o.CacheSizeMessages < 10)
            yield return $"{Prefix}{nameof(o.CacheSizeMessages)} must be at least 10 (the cache purges a tenth at a time); it is {o.CacheSizeMessages}.";
        if (o.MetadataTimeoutMs < 1)
            yield return $"{Prefix}{nameof(o.MetadataTimeoutMs)} must be positive; it is {o.MetadataTimeoutMs}.";
        if (o.MinInSyncReplicas < 1)
            yield return $"{Prefix}{nameof(o.MinInSyncReplicas)} must be at least 1; it is {o.MinInSyncReplicas}.";
        else if (o.CreateTopicIfMissing && o.ReplicationFactor >= 1 && o.MinInSyncReplicas > o.ReplicationFactor)
            yield return $"{Prefix}{nameof(o.MinInSyncReplicas)} ({o.MinInSyncReplicas}) must not exceed {nameof(o.ReplicationFactor)} ({o.ReplicationFactor}): no write could be acknowledged.";
        if (!Enum.IsDefined(o.MinInSyncReplicasCheck))
            yield return $"{Prefix}{nameof(o.MinInSyncReplicasCheck)} '{o.MinInSyncReplicasCheck}' is not one of {string.Join(", ", Enum.GetNames<KafkaDurabilityCheck>())}.";
        if (o.ReadWaitMs is < 0 or > ReadWaitMsMax)
            yield return $"{Prefix}{nameof(o.ReadWaitMs)} must be between 0 and {ReadWaitMsMax}; it is {o.ReadWaitMs}.";
        if (o.DeliveryBatchSize is < 1 or > DeliveryBatchSizeMax)
            yield return $"{Prefix}{nameof(o.DeliveryBatchSize)} must be between 1 and {DeliveryBatchSizeMax}; it is {o.DeliveryBatchSize}.";
        if (o.PullPeriodMs is < 1 or > PullPeriodMsMax)
            yield return $"{Prefix}{nameof(o.PullPeriodMs)} must be between 1 and {PullPeriodMsMax}; it is {o.PullPeriodMs}.";
        if (!Enum.IsDefined(o.PoisonMessageHandling))
            yield return $"{Prefix}{nameof(o.PoisonMessageHandling)} '{o.PoisonMessageHandling}' is not one of {string.Join(", ", Enum.GetNames<KafkaPoisonMessageHandling>())}.";
        if (!string.IsNullOrEmpty(o.DeadLetterTopic) && (o.DeadLetterTopic.Length > KafkaStreamOptions.TopicNameLengthMax || !TopicName().IsMatch(o.DeadLetterTopic) || o.DeadLetterTopic is "." or ".."))
            yield return $"{Prefix}{nameof(o.DeadLetterTopic)} '{o.DeadLetterTopic}' is not a valid Kafka topic name.";
        else if (o.DeadLetterTopic == o.Topic && !string.IsNullOrEmpty(o.Topic))
            yield return $"{Prefix}{nameof(o.DeadLetterTopic)} must differ from {nameof(o.Topic)}: dead letters would be read again as events.";
        else if (string.IsNullOrEmpty(o.DeadLetterTopic) && o.Topic.Length + KafkaStreamOptions.DeadLetterTopicSuffix.Length > KafkaStreamOptions.TopicNameLengthMax)
            yield return $"{Prefix}{nameof(o.DeadLetterTopic)} must be set: '{o.Topic}{KafkaStreamOptions.DeadLetterTopicSuffix}' is longer than {KafkaStreamOptions.TopicNameLengthMax} characters.";
        if (o.HealthCheckIntervalMs < HealthCheckIntervalMsMin)
            yield return $"{Prefix}{nameof(o.HealthCheckIntervalMs)} must be at least {HealthCheckIntervalMsMin}; it is {o.HealthCheckIntervalMs}.";
        if (o.StuckPartitionAfterMs < o.HealthCheckIntervalMs)
            yield return $"{Prefix}{nameof(o.StuckPartitionAfterMs)} ({o.StuckPartitionAfterMs}) must be at least {nameof(o.HealthCheckIntervalMs)} ({o.HealthCheckIntervalMs}).";
        foreach (var key in o.ConsumerConfig.Keys.Concat(o.ClientConfig.Keys).Where(ReservedConsumerKeys.Contains).Distinct())
            yield return $"{Prefix}{nameof(o.ConsumerConfig)}/{nameof(o.ClientConfig)} must not set '{key}': the provider owns it (offsets are committed only for delivered events).";
        foreach (var key in o.ProducerConfig.Keys.Concat(o.ClientConfig.Keys).Where(ReservedProducerKeys.ContainsKey).Distinct())
            yield return $"{Prefix}{nameof(o.ProducerConfig)}/{nameof(o.ClientConfig)} must not set '{key}': it is set by {Owner(ReservedProducerKeys[key])}.";
        foreach (var key in InFlightKeys)
        {
            var value = o.ProducerConfig.GetValueOrDefault(key) ?? o.ClientConfig.GetValueOrDefault(key);
            if (value is not null && (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var inFlight) || inFlight is < 1 or > InFlightRequestsMax))
                yield return $"{Prefix}{nameof(o.ProducerConfig)} '{key}' must be between 1 and {InFlightRequestsMax} (beyond that the idempotent producer cannot keep per-partition order); it is '{value}'.";
        }
    }

    private static string Owner(string owner) => owner.StartsWith("the ", StringComparison.Ordinal) ? owner : $"{nameof(KafkaStreamOptions)}.{owner}";

    [GeneratedRegex("^[a-zA-Z0-9._-]+$")]
    private static partial Regex TopicName();
}
