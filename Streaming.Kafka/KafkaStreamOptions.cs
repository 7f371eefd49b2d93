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

    /// <summary>
    /// How long the producer waits to fill a batch (<c>linger.ms</c>). Default 1 ms: every publish is
    /// awaited by its grain, so linger is added to each publish; under load batches fill anyway while
    /// earlier requests are in flight.
    /// </summary>
    public int LingerMs { get; set; } = 1;

    /// <summary>
    /// Upper bound on the time a publish may take, retries included (<c>message.timeout.ms</c>);
    /// after it the publishing grain gets an exception. Default 30 s.
    /// </summary>
    public int ProduceTimeoutMs { get; set; } = 30_000;

    /// <summary>
    /// <c>min.insync.replicas</c> the provider sets when it creates the topic (and the dead-letter
    /// topic), and the least it accepts on an existing topic when <see cref="ProducerAcks"/> is
    /// <see cref="Acks.All"/>: with acks=all a write is acknowledged once this many replicas have it.
    /// Default 2 (with replication factor 3: one broker may fail without losing an acknowledged event).
    /// </summary>
    public short MinInSyncReplicas { get; set; } = 2;

    /// <summary>
    /// What start-up does when the topic's <c>min.insync.replicas</c> (read with DescribeConfigs) is
    /// below <see cref="MinInSyncReplicas"/>, or its replication factor is below it: <see
    /// cref="KafkaDurabilityCheck.Refuse"/> (default) stops start-up, <see cref="KafkaDurabilityCheck.Warn"/>
    /// logs a warning. A broker that cannot answer DescribeConfigs (librdkafka's mock) is always only a warning.
    /// </summary>
    public KafkaDurabilityCheck MinInSyncReplicasCheck { get; set; } = KafkaDurabilityCheck.Refuse;

    /// <summary>Consumer <c>fetch.min.bytes</c>. Default 1: the broker answers a fetch as soon as it has a message.</summary>
    public int FetchMinBytes { get; set; } = 1;

    /// <summary>
    /// Consumer <c>fetch.wait.max.ms</c>: how long the broker may hold a fetch that has less than
    /// <see cref="FetchMinBytes"/>. A real broker answers at once when a message arrives, so there it
    /// only sets how often an idle partition is polled; librdkafka's mock broker holds every fetch the
    /// full time, so there it bounds delivery latency. Default 10 ms.
    /// </summary>
    public int FetchMaxWaitMs { get; set; } = 10;

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
    /// Longest a read waits for the first message when none is buffered. The pulling agent reads
    /// again at once after a read that returned messages, so a waiting read hands a new message to
    /// Orleans as soon as librdkafka has it instead of on the next timer tick. Default 50 ms.
    /// </summary>
    public int ReadWaitMs { get; set; } = 50;

    /// <summary>
    /// Most events of one stream handed to a subscriber in one grain call
    /// (<c>StreamPullingAgentOptions.BatchContainerBatchSize</c>): a stream with a backlog is delivered
    /// in fewer calls. The subscriber still sees one event at a time, in order. A batch is the unit of
    /// retry and of dead-lettering: when a subscriber fails on one event, the events of the batch it
    /// already processed come again (consumers dedupe by event id), and if it keeps failing the whole
    /// batch is dead-lettered. Default 1: event by event, so one bad event never takes its
    /// neighbours to the dead-letter topic with it.
    /// </summary>
    public int DeliveryBatchSize { get; set; } = 1;

    /// <summary>
    /// Period of the Orleans pulling agent's read timer (<c>StreamPullingAgentOptions.GetQueueMsgsTimerPeriod</c>).
    /// Between a read that found nothing and the next one, a new message waits at most this long. Default 5 ms.
    /// </summary>
    public int PullPeriodMs { get; set; } = 5;

    /// <summary>
    /// Messages kept per partition in the Orleans queue cache. Each read purges the oldest events every
    /// subscriber of their stream has passed, and offsets are committed up to what was purged; so this
    /// bounds the events re-delivered after a partition moves, and reads pause while the cache is full
    /// (a subscriber that does not keep up holds back its partition, and the health check reports it).
    /// Default 1024.
    /// </summary>
    public int CacheSizeMessages { get; set; } = 1024;

    /// <summary>
    /// What a receiver does with a message it cannot turn into a stream event (no or unknown envelope
    /// version, unknown event type, a value that does not deserialize). Default <see
    /// cref="KafkaPoisonMessageHandling.DeadLetter"/>. Never skipped silently.
    /// </summary>
    public KafkaPoisonMessageHandling PoisonMessageHandling { get; set; } = KafkaPoisonMessageHandling.DeadLetter;

    /// <summary>
    /// Topic for dead letters: messages that cannot be decoded and events a subscriber kept failing on
    /// (the original key, value and headers plus <c>ow-dead-letter-*</c> headers naming the reason).
    /// Default empty: <c>{Topic}.dead-letter</c>.
    /// </summary>
    public string DeadLetterTopic { get; set; } = "";

    /// <summary>The dead-letter topic in use: <see cref="DeadLetterTopic"/> or <c>{Topic}.dead-letter</c>.</summary>
    public string EffectiveDeadLetterTopic => string.IsNullOrEmpty(DeadLetterTopic) ? Topic + DeadLetterTopicSuffix : DeadLetterTopic;

    /// <summary>Suffix of the default dead-letter topic name.</summary>
    public const string DeadLetterTopicSuffix = ".dead-letter";

    /// <summary>
    /// How often each silo reads, for the partitions it owns, the broker's high watermark and the
    /// group's committed offset (lag metrics and the health check). Default 5 s.
    /// </summary>
    public int HealthCheckIntervalMs { get; set; } = 5_000;

    /// <summary>
    /// A partition is reported unhealthy when messages wait on it (high watermark past what was read)
    /// and nothing was read from it for this long, or when it is stopped. Default 30 s.
    /// </summary>
    public int StuckPartitionAfterMs { get; set; } = 30_000;

    /// <summary>
    /// Publishing refuses an event type without an Orleans <c>[Alias]</c> (and not mapped in <see
    /// cref="EventTypes"/>): its wire name would be the .NET type and namespace, which a rename turns
    /// into a name the next version cannot read. Default true.
    /// </summary>
    public bool RequireStableTypeNames { get; set; } = true;

    /// <summary>
    /// Wire names of event types besides their Orleans alias: names written by earlier versions (a full
    /// .NET type name, a former alias) that must still be read. Set in code; not bound from configuration.
    /// </summary>
    public KafkaEventTypeRegistry EventTypes { get; } = new();

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
