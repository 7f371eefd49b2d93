using Confluent.Kafka;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Turns <see cref="KafkaStreamOptions"/> into librdkafka client settings. Pass-through settings go
/// first and the provider's own last, so no pass-through setting can undo a guarantee (the validator
/// also refuses them at start, naming them).
/// </summary>
internal static class KafkaClientConfigs
{
    public static ProducerConfig Producer(KafkaStreamOptions options)
    {
        var config = new ProducerConfig();
        Apply(config, options.ClientConfig);
        Apply(config, options.ProducerConfig);
        config.BootstrapServers = options.BootstrapServers;
        config.Acks = options.ProducerAcks;
        config.EnableIdempotence = options.EnableIdempotence;
        config.CompressionType = options.Compression;
        config.LingerMs = options.LingerMs;
        config.MessageTimeoutMs = options.ProduceTimeoutMs;
        // Stream events carry their partition; only dead letters (whose topic may have another
        // partition count) are placed by librdkafka, and then by key as the Java client would.
        config.Partitioner = Partitioner.Murmur2Random;
        // Publishers need only success or failure back: copying key, value and headers into every
        // delivery report would cost an allocation per event for nothing.
        config.DeliveryReportFields = "status";
        return config;
    }

    public static ConsumerConfig Consumer(KafkaStreamOptions options)
    {
        var config = new ConsumerConfig();
        Apply(config, options.ClientConfig);
        Apply(config, options.ConsumerConfig);
        config.BootstrapServers = options.BootstrapServers;
        config.GroupId = options.ConsumerGroupId;
        config.FetchMinBytes = options.FetchMinBytes;
        config.FetchWaitMaxMs = options.FetchMaxWaitMs;
        config.MaxPartitionFetchBytes = options.MaxPartitionFetchBytes;
        config.AutoOffsetReset = options.AutoOffsetReset;
        // The committer sends only offsets the receiver stored after Orleans delivered the events.
        config.EnableAutoCommit = true;
        config.EnableAutoOffsetStore = false;
        config.AutoCommitIntervalMs = options.CommitIntervalMs;
        return config;
    }

    /// <summary>A consumer that only asks the broker (watermarks, committed offsets); it never reads or commits.</summary>
    public static ConsumerConfig Monitor(KafkaStreamOptions options)
    {
        var config = new ConsumerConfig();
        Apply(config, options.ClientConfig);
        config.BootstrapServers = options.BootstrapServers;
        config.GroupId = options.ConsumerGroupId;
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        return config;
    }

    public static AdminClientConfig Admin(KafkaStreamOptions options)
    {
        var config = new AdminClientConfig();
        Apply(config, options.ClientConfig);
        config.BootstrapServers = options.BootstrapServers;
        // The start-up metadata check must see a missing topic, not create one with broker defaults.
        config.Set("allow.auto.create.topics", "false");
        return config;
    }

    private static void Apply(ClientConfig config, IReadOnlyDictionary<string, string> overrides)
    {
        foreach (var (key, value) in overrides)
        {
            config.Set(key, value);
        }
    }
}
