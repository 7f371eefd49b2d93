using Confluent.Kafka;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>Turns <see cref="KafkaStreamOptions"/> into librdkafka client settings, pass-through settings last.</summary>
internal static class KafkaClientConfigs
{
    public static ProducerConfig Producer(KafkaStreamOptions options)
    {
        var config = new ProducerConfig(Common(options))
        {
            Acks = options.ProducerAcks,
            EnableIdempotence = options.EnableIdempotence,
            CompressionType = options.Compression,
            LingerMs = options.LingerMs,
            MessageTimeoutMs = options.ProduceTimeoutMs,
        };
        Apply(config, options.ProducerConfig);
        return config;
    }

    public static ConsumerConfig Consumer(KafkaStreamOptions options)
    {
        var config = new ConsumerConfig(Common(options))
        {
            GroupId = options.ConsumerGroupId,
            FetchMinBytes = options.FetchMinBytes,
            FetchWaitMaxMs = options.FetchMaxWaitMs,
            MaxPartitionFetchBytes = options.MaxPartitionFetchBytes,
            AutoOffsetReset = options.AutoOffsetReset,
            // The committer sends only offsets the receiver stored after Orleans delivered the events.
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            AutoCommitIntervalMs = options.CommitIntervalMs,
        };
        Apply(config, options.ConsumerConfig);
        return config;
    }

    public static AdminClientConfig Admin(KafkaStreamOptions options)
    {
        var config = new AdminClientConfig(Common(options));
        // The start-up metadata check must see a missing topic, not create one with broker defaults.
        config.Set("allow.auto.create.topics", "false");
        return config;
    }

    private static ClientConfig Common(KafkaStreamOptions options)
    {
        var config = new ClientConfig { BootstrapServers = options.BootstrapServers };
        Apply(config, options.ClientConfig);
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
