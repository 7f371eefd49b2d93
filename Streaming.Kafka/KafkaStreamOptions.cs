using Confluent.Kafka;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Settings of one Kafka stream provider. One Orleans queue is one Kafka partition of <see cref="Topic"/>.
/// Validated when the silo or client starts (<c>KafkaStreamOptionsValidator</c>).
/// </summary>
public sealed class KafkaStreamOptions
{
    /// <summary>The largest partition count accepted; far above what one topic needs, it catches typos.</summary>
    public const int PartitionCountMax = 10_000;

    /// <summary>Kafka's own limit on topic name length.</summary>
    public const int TopicNameLengthMax = 249;

    /// <summary>Comma-separated <c>host:port</c> list of brokers. Required.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>The topic every stream of this provider is written to and read from. Required.</summary>
    public string Topic { get; set; } = "";

    /// <summary>
    /// Number of partitions of <see cref="Topic"/>, and so of Orleans queues. Default 24.
    /// At start the provider reads the real count from broker metadata and refuses to start when it
    /// differs: the partition of a key is <c>murmur2(key) % count</c>, so running with a different
    /// count than the topic's would send a user's events to another partition than other producers
    /// do and break per-user order. Changing a topic's partition count is a migration, not a setting.
    /// </summary>
    public int PartitionCount { get; set; } = 24;

    /// <summary>
    /// When true, the topic is created at start with <see cref="PartitionCount"/> partitions and
    /// <see cref="ReplicationFactor"/> if it does not exist. Default false: production topics are
    /// usually provisioned by their owners.
    /// </summary>
    public bool CreateTopicIfMissing { get; set; }

    /// <summary>Replication factor used only when the provider creates the topic. Default 3.</summary>
    public short ReplicationFactor { get; set; } = 3;

    /// <summary>
    /// Consumer group whose committed offsets receivers start from and commit to. Required.
    /// All silos of one service must use the same group; receivers use manual partition assignment
    /// (the Orleans queue balancer decides ownership), the group only stores offsets.
    /// </summary>
    public string ConsumerGroupId { get; set; } = "";

    /// <summary>
    /// Producer acknowledgement level. Default <see cref="Acks.All"/>. With <c>acks=1</c> the leader
    /// acknowledges before followers have the event, so a leader failover can lose an event the
    /// grain already treated as published; in a money system keep <see cref="Acks.All"/>.
    /// </summary>
    public Acks ProducerAcks { get; set; } = Acks.All;

    /// <summary>
    /// Idempotent producer (no duplicates or reordering from producer retries). Default true;
    /// requires <see cref="ProducerAcks"/> = <see cref="Acks.All"/>.
    /// </summary>
    public bool EnableIdempotence { get; set; } = true;

    /// <summary>Producer compression. Default <see cref="CompressionType.Snappy"/>.</summary>
    public CompressionType Compression { get; set; } = CompressionType.Snappy;

    /// <summary>How long the producer waits to fill a batch (<c>linger.ms</c>). Default 5 ms.</summary>
    public int LingerMs { get; set; } = 5;

    /// <summary>
    /// Upper bound on the time a publish may take, retries included (<c>message.timeout.ms</c>);
    /// after it the publishing grain gets an exception. Default 30 s.
    /// </summary>
    public int ProduceTimeoutMs { get; set; } = 30_000;

    /// <summary>Consumer <c>fetch.min.bytes</c>. Default 1024.</summary>
    public int FetchMinBytes { get; set; } = 1024;

    /// <summary>
    /// Consumer <c>fetch.wait.max.ms</c>: how long the broker may hold a fetch to reach
    /// <see cref="FetchMinBytes"/>; it bounds delivery latency on a quiet partition. Default 100 ms.
    /// </summary>
    public int FetchMaxWaitMs { get; set; } = 100;

    /// <summary>Consumer <c>max.partition.fetch.bytes</c>. Default 1 MiB.</summary>
    public int MaxPartitionFetchBytes { get; set; } = 1024 * 1024;

    /// <summary>Where a receiver starts when the group has no committed offset. Default earliest.</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Earliest;

    /// <summary>
    /// How often delivered offsets are committed (<c>auto.commit.interval.ms</c>). A crashed silo's
    /// partitions are re-read from the last commit, so this bounds the duplicates after a crash
    /// (consumers dedupe by event id). Default 1000 ms.
    /// </summary>
    public int CommitIntervalMs { get; set; } = 1000;

    /// <summary>Most Kafka messages one receiver hands to Orleans per read. Default 1000.</summary>
    public int ReadBatchSizeMax { get; set; } = 1000;

    /// <summary>
    /// Messages kept per partition in the Orleans queue cache. Offsets are committed when the cache
    /// purges delivered messages (a tenth of this size at a time, once no stream's cursor is left in
    /// that tenth), so this also bounds how many delivered events are re-delivered after a restart.
    /// Default 1024.
    /// </summary>
    public int CacheSizeMessages { get; set; } = 1024;

    /// <summary>Time allowed for broker metadata and topic creation at start. Default 10 s.</summary>
    public int MetadataTimeoutMs { get; set; } = 10_000;

    /// <summary>Extra librdkafka settings applied to every client (producer, consumer, admin), e.g. <c>security.protocol</c>, <c>sasl.*</c>.</summary>
    public Dictionary<string, string> ClientConfig { get; } = new(StringComparer.Ordinal);

    /// <summary>Extra librdkafka producer settings; they override the defaults above.</summary>
    public Dictionary<string, string> ProducerConfig { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Extra librdkafka consumer settings; they override the defaults above, except the few the
    /// provider's delivery guarantee depends on (see the validator).
    /// </summary>
    public Dictionary<string, string> ConsumerConfig { get; } = new(StringComparer.Ordinal);
}
