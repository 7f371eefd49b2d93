using Microsoft.Extensions.Configuration;
using OrleansWallet.Orders;
using OrleansWallet.Streaming.Kafka;

namespace OrleansWallet.Silo.Hosting;

/// <summary>Order events: the Kafka-backed Orleans stream provider and the pub-sub store it needs.</summary>
internal static class StreamingHosting
{
    public const string Section = "Kafka";

    public static ISiloBuilder AddOrderEventStreams(this ISiloBuilder silo, IConfiguration configuration, Action<ISiloBuilder, string> addStorage)
    {
        var kafka = configuration.GetSection(Section);
        // Partitions go to silos by the provider's consistent-ring balancer: they move when a silo
        // joins or dies. (With few partitions a silo may own none; more partitions even it out.)
        silo.AddKafkaStreams(OrderEventStream.ProviderName, options =>
        {
            kafka.Bind(options);
            // Events written before OrderEvent had its alias stay readable after any rename.
            options.EventTypes.Read(OrderEvent.LegacyWireTypeName, typeof(OrderEvent));
        });
        silo.Services.AddKeyedSingleton<IKafkaStreamEventSerializer>(OrderEventStream.ProviderName,
            JsonKafkaStreamEventSerializer.WithContracts(OrderEventJsonContext.Default));
        // A partition stuck, stopped at an undecodable message, or unable to write a dead letter makes
        // readiness Degraded, as a Kafka outage does: money operations do not depend on it, so the
        // silo stays in service while the partition is reported (and alerted on through its gauges).
        silo.Services.AddHealthChecks().Add(KafkaStreamHealthCheck.Registration(OrderEventStream.ProviderName, tags: ["ready"],
            failureStatus: Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded));
        // Explicit subscriptions (the WatchOrderEvents API) are kept here; Redis like all grain state.
        addStorage(silo, "PubSubStore");
        return silo;
    }
}
