using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;
using Orleans.Runtime;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

public sealed class OptionsValidationTests
{
    private static KafkaStreamOptions Valid() => new()
    {
        BootstrapServers = "127.0.0.1:9092",
        Topic = "wallet-events",
        ConsumerGroupId = "wallet-silos",
    };

    [Fact]
    public void Valid_options_pass()
    {
        Assert.Empty(KafkaStreamOptionsValidator.Validate(Valid()));
    }

    [Fact]
    public void Defaults_need_servers_topic_and_group()
    {
        var errors = string.Join("\n", KafkaStreamOptionsValidator.Validate(new KafkaStreamOptions()));
        Assert.Contains("KafkaStreamOptions.BootstrapServers", errors);
        Assert.Contains("KafkaStreamOptions.Topic", errors);
        Assert.Contains("KafkaStreamOptions.ConsumerGroupId", errors);
    }

    public static TheoryData<string, Action<KafkaStreamOptions>> BadOptions => new()
    {
        { "KafkaStreamOptions.Topic", o => o.Topic = "bad topic!" },
        { "KafkaStreamOptions.PartitionCount", o => o.PartitionCount = 0 },
        { "KafkaStreamOptions.EnableIdempotence", o => o.ProducerAcks = Acks.Leader },
        { "KafkaStreamOptions.LingerMs", o => o.LingerMs = -1 },
        { "KafkaStreamOptions.CacheSizeMessages", o => o.CacheSizeMessages = 5 },
        { "KafkaStreamOptions.ReadBatchSizeMax", o => o.ReadBatchSizeMax = 0 },
        { "KafkaStreamOptions.ReplicationFactor", o => { o.CreateTopicIfMissing = true; o.ReplicationFactor = 0; } },
        { "KafkaStreamOptions.ConsumerConfig", o => o.ConsumerConfig["enable.auto.offset.store"] = "true" },
        { "KafkaStreamOptions.ProducerConfig", o => o.ProducerConfig["bootstrap.servers"] = "elsewhere:9092" },
        // A pass-through producer setting must not undo acks or idempotence (issue #11, point 4).
        { "KafkaStreamOptions.ProducerAcks", o => o.ProducerConfig["acks"] = "1" },
        { "KafkaStreamOptions.EnableIdempotence", o => o.ProducerConfig["enable.idempotence"] = "false" },
        { "KafkaStreamOptions.EnableIdempotence", o => o.ClientConfig["enable.idempotence"] = "false" },
        { "KafkaStreamOptions.LingerMs", o => o.ProducerConfig["linger.ms"] = "50" },
        { "the provider (stream events carry their murmur2 partition)", o => o.ProducerConfig["partitioner"] = "consistent_random" },
        { "'max.in.flight.requests.per.connection' must be between 1 and 5", o => o.ProducerConfig["max.in.flight.requests.per.connection"] = "10" },
        { "KafkaStreamOptions.ConsumerConfig", o => o.ClientConfig["group.id"] = "other" },
        { "KafkaStreamOptions.MinInSyncReplicas", o => o.MinInSyncReplicas = 0 },
        { "KafkaStreamOptions.MinInSyncReplicas", o => { o.CreateTopicIfMissing = true; o.ReplicationFactor = 1; } },
        { "KafkaStreamOptions.DeadLetterTopic", o => o.DeadLetterTopic = "wallet-events" },
        { "KafkaStreamOptions.DeadLetterTopic", o => o.DeadLetterTopic = "bad topic" },
        { "KafkaStreamOptions.ReadWaitMs", o => o.ReadWaitMs = 5_000 },
        { "KafkaStreamOptions.PullPeriodMs", o => o.PullPeriodMs = 0 },
        { "KafkaStreamOptions.PoisonMessageHandling", o => o.PoisonMessageHandling = (KafkaPoisonMessageHandling)7 },
        { "KafkaStreamOptions.StuckPartitionAfterMs", o => o.StuckPartitionAfterMs = 10 },
        { "KafkaStreamOptions.HealthCheckIntervalMs", o => { o.HealthCheckIntervalMs = 10; o.StuckPartitionAfterMs = 10; } },
    };

    [Fact]
    public void Pass_through_settings_cannot_undo_the_providers_own_even_unvalidated()
    {
        var options = Valid();
        options.ProducerConfig["acks"] = "1";
        options.ProducerConfig["enable.idempotence"] = "false";
        options.ProducerConfig["linger.ms"] = "100";
        options.ProducerConfig["queue.buffering.max.messages"] = "5000";
        var producer = KafkaClientConfigs.Producer(options);
        Assert.Equal(Acks.All, producer.Acks);
        Assert.True(producer.EnableIdempotence);
        Assert.Equal(options.LingerMs, producer.LingerMs);
        Assert.Equal(5000, producer.QueueBufferingMaxMessages);
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Each_bad_field_is_named(string field, Action<KafkaStreamOptions> spoil)
    {
        var options = Valid();
        spoil(options);
        var errors = KafkaStreamOptionsValidator.Validate(options).ToList();
        Assert.Single(errors);
        Assert.Contains(field, errors[0]);
    }

    [Fact]
    public async Task Silo_start_fails_naming_the_field()
    {
        var cluster = KafkaTestCluster.Builder(1, "127.0.0.1:1", "bad topic!", "group").Build();
        try
        {
            var failure = await Record.ExceptionAsync(() => cluster.DeployAsync());
            Assert.NotNull(failure);
            Assert.Contains("KafkaStreamOptions.Topic", failure.ToString());
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Silo_start_fails_when_the_topic_has_another_partition_count()
    {
        await using var broker = await KafkaMockBroker.StartAsync();
        const string Topic = "wallet-events-mismatch";
        await broker.CreateTopicAsync(Topic);
        var cluster = KafkaTestCluster.Builder(1, broker.BootstrapServers, Topic, "group", partitionCount: 24).Build();
        try
        {
            var failure = await Record.ExceptionAsync(() => cluster.DeployAsync());
            Assert.NotNull(failure);
            Assert.Contains($"topic '{Topic}' has {KafkaMockBroker.PartitionCount} partitions but KafkaStreamOptions.PartitionCount is 24", failure.ToString());
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Silo_start_fails_when_the_topic_does_not_exist()
    {
        await using var broker = await KafkaMockBroker.StartAsync();
        var cluster = KafkaTestCluster.Builder(1, broker.BootstrapServers, "wallet-events-never-created", "group").Build();
        try
        {
            var failure = await Record.ExceptionAsync(() => cluster.DeployAsync());
            Assert.NotNull(failure);
            Assert.Contains("topic 'wallet-events-never-created' does not exist", failure.ToString());
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Client_start_fails_naming_the_field()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client
            .UseLocalhostClustering()
            .AddKafkaStreams(TestStreams.ProviderName, o =>
            {
                o.BootstrapServers = "127.0.0.1:1";
                o.Topic = "wallet-events";
            }));
        using var host = builder.Build();
        var failure = await Record.ExceptionAsync(() => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsType<OrleansConfigurationException>(failure);
        Assert.Contains("KafkaStreamOptions.ConsumerGroupId", failure.Message);
    }
}
