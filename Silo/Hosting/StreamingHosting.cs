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
        silo.AddKafkaStreams(OrderEventStream.ProviderName, options => kafka.Bind(options));
        // Explicit subscriptions (the WatchOrderEvents API) are kept here; Redis like all grain state.
        addStorage(silo, "PubSubStore");
        return silo;
    }
}
