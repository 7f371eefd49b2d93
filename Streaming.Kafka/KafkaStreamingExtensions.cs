using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Configuration;
using OrleansWallet.Streaming.Kafka;

namespace Orleans.Hosting;

/// <summary>Registers the Kafka persistent-stream provider on a silo or a client.</summary>
public static class KafkaStreamingExtensions
{
    /// <summary>
    /// Adds a Kafka stream provider named <paramref name="name"/> to the silo: publishing and,
    /// through pulling agents, reading. Partitions are balanced over silos by the consistent-ring
    /// balancer (it reacts to silos joining and dying); <paramref name="configureStream"/> may pick
    /// another balancer, the pulling agent settings or the pub-sub type. Registers a
    /// <see cref="KafkaStreamHealth"/> keyed by <paramref name="name"/> (see <see cref="KafkaStreamHealthCheck"/>).
    /// </summary>
    public static ISiloBuilder AddKafkaStreams(
        this ISiloBuilder builder,
        string name,
        Action<KafkaStreamOptions> configureOptions,
        Action<ISiloPersistentStreamConfigurator>? configureStream = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configureOptions);
        builder.AddPersistentStreams(name, KafkaQueueAdapterFactory.Create, stream =>
        {
            stream.Configure<KafkaStreamOptions>(options => options.Configure(configureOptions));
            stream.UseConsistentRingQueueBalancer();
            stream.ConfigurePullingAgent(agent => agent.Configure<Microsoft.Extensions.Options.IOptionsMonitor<KafkaStreamOptions>>((o, kafka) =>
            {
                var options = kafka.Get(name);
                // A read waits for messages (ReadWaitMs) and the agent reads again at once after one
                // that returned some, so this period only bounds the gap after an empty read; Orleans'
                // default 100 ms would dominate publish-to-subscriber latency.
                o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(options.PullPeriodMs);
                o.BatchContainerBatchSize = options.DeliveryBatchSize;
            }));
            configureStream?.Invoke(stream);
        });
        builder.ConfigureServices(services => AddServices(services, name));
        return builder;
    }

    /// <summary>Adds a Kafka stream provider named <paramref name="name"/> to the client, for publishing.</summary>
    public static IClientBuilder AddKafkaStreams(
        this IClientBuilder builder,
        string name,
        Action<KafkaStreamOptions> configureOptions,
        Action<IClusterClientPersistentStreamConfigurator>? configureStream = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configureOptions);
        builder.AddPersistentStreams(name, KafkaQueueAdapterFactory.Create, stream =>
        {
            stream.Configure<KafkaStreamOptions>(options => options.Configure(configureOptions));
            configureStream?.Invoke(stream);
        });
        builder.ConfigureServices(services => AddServices(services, name));
        return builder;
    }

    private static void AddServices(IServiceCollection services, string name)
    {
        services.AddTransient<IConfigurationValidator>(sp => new KafkaStreamOptionsValidator(sp.GetOptionsByName<KafkaStreamOptions>(name), name));
        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var options = sp.GetOptionsByName<KafkaStreamOptions>(name);
            var health = new KafkaStreamHealth(name, options.Topic, TimeSpan.FromMilliseconds(options.StuckPartitionAfterMs), sp.GetService<TimeProvider>() ?? TimeProvider.System);
            KafkaStreamMetrics.Register(health);
            return health;
        });
    }
}
