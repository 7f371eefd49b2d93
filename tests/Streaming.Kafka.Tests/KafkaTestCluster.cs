using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Development;
using Orleans.Providers;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;
using Orleans.TestingHost;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>How the tests build in-process clusters that use the Kafka provider against the mock.</summary>
public static class KafkaTestCluster
{
    public const string BootstrapKey = "KafkaTest:BootstrapServers";
    public const string TopicKey = "KafkaTest:Topic";
    public const string GroupKey = "KafkaTest:Group";
    public const string PartitionCountKey = "KafkaTest:PartitionCount";
    public const string BalancerKey = "KafkaTest:Balancer";
    public const string MaxEventDeliveryTimeKey = "KafkaTest:MaxEventDeliveryTime";
    public const string LeaseBalancer = "lease";
    public const string RingBalancer = "ring";

    /// <summary>Small, so the cache purges (and offsets are committed) every 10 messages per partition.</summary>
    public const int CacheSizeMessages = 100;

    /// <param name="maxEventDeliveryTime">
    /// How long Orleans retries a failing delivery before the event is dead-lettered; Orleans' default
    /// (1 min) unless a test needs a subscriber given up on quickly. It must outlast a silo failover:
    /// deliveries to grains of a killed silo fail until they are re-activated elsewhere.
    /// </param>
    public static TestClusterBuilder Builder(short silos, string bootstrapServers, string topic, string group, string balancer = RingBalancer,
        int partitionCount = KafkaMockBroker.PartitionCount, TimeSpan? maxEventDeliveryTime = null)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ServiceId = "kafka-tests";
        builder.Properties[BootstrapKey] = bootstrapServers;
        builder.Properties[TopicKey] = topic;
        builder.Properties[GroupKey] = group;
        builder.Properties[PartitionCountKey] = partitionCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        builder.Properties[BalancerKey] = balancer;
        if (maxEventDeliveryTime is { } deliveryTime)
        {
            builder.Properties[MaxEventDeliveryTimeKey] = deliveryTime.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }

        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        return builder;
    }

    public static void Apply(KafkaStreamOptions options, IConfiguration configuration)
    {
        options.BootstrapServers = configuration[BootstrapKey]!;
        options.Topic = configuration[TopicKey]!;
        options.ConsumerGroupId = configuration[GroupKey]!;
        options.PartitionCount = int.Parse(configuration[PartitionCountKey]!, System.Globalization.CultureInfo.InvariantCulture);
        options.CacheSizeMessages = CacheSizeMessages;
        options.CommitIntervalMs = 200;
        options.HealthCheckIntervalMs = 500;
        options.StuckPartitionAfterMs = 10_000;
    }

    /// <summary>Pulling agents (one per owned partition) the silo runs now.</summary>
    public static async Task<int> RunningAgentsAsync(SiloHandle silo)
    {
        var services = ((InProcessSiloHandle)silo).SiloHost.Services;
        var provider = (IControllable)services.GetRequiredKeyedService<IStreamProvider>(TestStreams.ProviderName);
        var result = await provider.ExecuteCommand((int)PersistentStreamProviderCommand.GetNumberRunningAgents, null);
        return (int)result!;
    }

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var configuration = siloBuilder.Configuration;
            var useLease = configuration[BalancerKey] == LeaseBalancer;
            var maxEventDeliveryTime = configuration[MaxEventDeliveryTimeKey] is { } configured
                ? TimeSpan.Parse(configured, System.Globalization.CultureInfo.InvariantCulture)
                : (TimeSpan?)null;
            siloBuilder
                .AddMemoryGrainStorage("PubSubStore")
                .Configure<ClusterMembershipOptions>(o =>
                {
                    // Declare a killed silo dead within a few seconds.
                    o.ProbeTimeout = TimeSpan.FromSeconds(1);
                    o.NumMissedProbesLimit = 2;
                    o.NumVotesForDeathDeclaration = 1;
                    o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                })
                .AddKafkaStreams(TestStreams.ProviderName, options => Apply(options, configuration), stream =>
                {
                    stream.ConfigurePullingAgent(agent => agent.Configure(o =>
                    {
                        o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(50);
                        if (maxEventDeliveryTime is { } deliveryTime)
                        {
                            o.MaxEventDeliveryTime = deliveryTime;
                        }
                    }));
                    if (useLease)
                    {
                        stream.UseLeaseBasedQueueBalancer(lease => lease.Configure(o =>
                        {
                            o.LeaseLength = TimeSpan.FromSeconds(4);
                            o.LeaseRenewPeriod = TimeSpan.FromSeconds(1);
                            o.LeaseAcquisitionPeriod = TimeSpan.FromSeconds(1);
                        }));
                    }
                });
            if (useLease)
            {
                siloBuilder.UseInMemoryLeaseProvider();
            }
        }
    }

    public sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddKafkaStreams(TestStreams.ProviderName, options => Apply(options, configuration));
    }
}
