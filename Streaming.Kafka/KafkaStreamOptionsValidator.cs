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

    internal static readonly IReadOnlySet<string> ReservedClientKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "bootstrap.servers",
    };

    private const int LingerMsMax = 900_000;

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
        foreach (var key in o.ConsumerConfig.Keys.Where(ReservedConsumerKeys.Contains))
            yield return $"{Prefix}{nameof(o.ConsumerConfig)} must not set '{key}': the provider owns it (offsets are committed only for delivered events).";
        foreach (var key in o.ProducerConfig.Keys.Concat(o.ClientConfig.Keys).Where(ReservedClientKeys.Contains))
            yield return $"{Prefix}{nameof(o.ProducerConfig)}/{nameof(o.ClientConfig)} must not set '{key}': use {nameof(o.BootstrapServers)}.";
    }

    [GeneratedRegex("^[a-zA-Z0-9._-]+$")]
    private static partial Regex TopicName();
}
