using Microsoft.Extensions.DependencyInjection;
using Orleans;
using OrleansWallet.Streaming.Kafka;

namespace Orleans.Hosting;

/// <summary>Registers the Kafka persistent-stream provider on a silo or a client.</summary>
public static class KafkaStreamingExtensions
{
    private static readonly TimeSpan PullPeriod = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Adds a Kafka stream provider named <paramref name="name"/> to the silo: publishing and,
    /// through pulling agents, reading. Partitions are balanced over silos by the consistent-ring
    /// balancer (it reacts to silos joining and dying); <paramref name="configureStream"/> may pick
    /// another balancer, the pulling agent settings or the pub-sub type.
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
            // A read only takes what librdkafka has already fetched, so polling often is cheap, and
            // Orleans' default 100 ms would dominate publish-to-subscriber latency.
            stream.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = PullPeriod));
            configureStream?.Invoke(stream);
        });
        builder.ConfigureServices(services => AddValidator(services, name));
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
        builder.ConfigureServices(services => AddValidator(services, name));
        return builder;
    }

    private static void AddValidator(IServiceCollection services, string name) =>
        services.AddTransient<IConfigurationValidator>(sp => new KafkaStreamOptionsValidator(sp.GetOptionsByName<KafkaStreamOptions>(name), name));
}
