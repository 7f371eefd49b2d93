using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Serialization.TypeSystem;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// Topic creation on request. The mock broker cannot create topics (CreateTopics fails with
/// "Failed while waiting for controller"), so here only the failure path can be exercised: it must
/// stop start-up with a message that says what could not be done.
/// </summary>
public sealed class TopicCreationTests
{
    [Fact]
    public async Task A_failed_topic_creation_stops_start_up_with_the_reason()
    {
        await using var broker = await KafkaMockBroker.StartAsync();
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var options = new KafkaStreamOptions
        {
            BootstrapServers = broker.BootstrapServers,
            Topic = "wallet-events-created",
            ConsumerGroupId = "group",
            CreateTopicIfMissing = true,
            ReplicationFactor = 1,
            MetadataTimeoutMs = 3_000,
        };
        using var factory = new KafkaQueueAdapterFactory(
            TestStreams.ProviderName, options, JsonKafkaStreamEventSerializer.Default,
            services.GetRequiredService<TypeConverter>(), TimeProvider.System, NullLoggerFactory.Instance);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(factory.CreateAdapter);
        Assert.Contains("could not create topic 'wallet-events-created'", failure.Message);
    }

    /// <summary>
    /// Issue #11, point 4: with acks=all the topic must keep an acknowledged write on at least
    /// MinInSyncReplicas brokers. The mock's topics have replication factor 3 and it cannot answer
    /// DescribeConfigs (so min.insync.replicas itself is only warned about there).
    /// </summary>
    [Theory]
    [InlineData(KafkaDurabilityCheck.Refuse)]
    [InlineData(KafkaDurabilityCheck.Warn)]
    public async Task A_topic_with_fewer_replicas_than_MinInSyncReplicas_is_refused_or_warned_about(KafkaDurabilityCheck check)
    {
        await using var broker = await KafkaMockBroker.StartAsync();
        await broker.CreateTopicAsync("wallet-events-durability");
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var options = new KafkaStreamOptions
        {
            BootstrapServers = broker.BootstrapServers,
            Topic = "wallet-events-durability",
            ConsumerGroupId = "group",
            PartitionCount = KafkaMockBroker.PartitionCount,
            MinInSyncReplicas = 4,
            MinInSyncReplicasCheck = check,
            MetadataTimeoutMs = 3_000,
        };
        using var factory = new KafkaQueueAdapterFactory(
            TestStreams.ProviderName, options, JsonKafkaStreamEventSerializer.Default,
            services.GetRequiredService<TypeConverter>(), TimeProvider.System, NullLoggerFactory.Instance);

        if (check == KafkaDurabilityCheck.Refuse)
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(factory.CreateAdapter);
            Assert.Contains("replication factor 3, below KafkaStreamOptions.MinInSyncReplicas (4)", failure.Message);
        }
        else
        {
            Assert.NotNull(await factory.CreateAdapter());
        }
    }

    [Fact]
    public async Task The_default_durability_check_passes_on_the_mock_whose_topics_have_three_replicas()
    {
        await using var broker = await KafkaMockBroker.StartAsync();
        await broker.CreateTopicAsync("wallet-events-durability-ok");
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var options = new KafkaStreamOptions
        {
            BootstrapServers = broker.BootstrapServers,
            Topic = "wallet-events-durability-ok",
            ConsumerGroupId = "group",
            PartitionCount = KafkaMockBroker.PartitionCount,
            MetadataTimeoutMs = 3_000,
        };
        Assert.Equal(KafkaDurabilityCheck.Refuse, options.MinInSyncReplicasCheck);
        using var factory = new KafkaQueueAdapterFactory(
            TestStreams.ProviderName, options, JsonKafkaStreamEventSerializer.Default,
            services.GetRequiredService<TypeConverter>(), TimeProvider.System, NullLoggerFactory.Instance);
        Assert.NotNull(await factory.CreateAdapter());
    }
}
