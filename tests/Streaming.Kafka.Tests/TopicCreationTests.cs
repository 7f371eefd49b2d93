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
}
