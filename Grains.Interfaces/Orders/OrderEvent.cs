using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansWallet.Orders;

/// <summary>
/// One change of an order, as published on the order-events stream (Kafka topic, message key =
/// user id). The JSON form is a public contract read by non-.NET consumers; see
/// Streaming.Kafka/README.md for the envelope and README.md for the fields. Consumers drop
/// duplicates by <see cref="EventId"/> (a crash can re-publish) and order an order's events by
/// <see cref="Sequence"/>.
/// </summary>
/// <remarks>
/// <see cref="WireTypeName"/> (its Orleans alias) is the <c>ow-event-type</c> header on Kafka: it must
/// never change, whatever the type's namespace or assembly. Events written before the alias existed
/// carry <see cref="LegacyWireTypeName"/>, which readers map to this type.
/// </remarks>
[GenerateSerializer, Immutable, Alias(WireTypeName)]
public sealed record OrderEvent(
    [property: Id(0)] int SchemaVersion,
    [property: Id(1)] string EventId,
    [property: Id(2)] string Type,
    [property: Id(3)] string UserId,
    [property: Id(4)] string OrderId,
    [property: Id(5)] long Sequence,
    [property: Id(6)] DateTimeOffset Timestamp,
    [property: Id(7)] OrderEventPayload Payload)
{
    public const int CurrentSchemaVersion = 1;

    /// <summary>The stable wire name of this type (Orleans alias, Kafka <c>ow-event-type</c> header).</summary>
    public const string WireTypeName = "orleanswallet.order-event";

    /// <summary>The type header written before <see cref="WireTypeName"/> existed: the full .NET name.</summary>
    public const string LegacyWireTypeName = "OrleansWallet.Orders.OrderEvent,OrleansWallet.Grains.Interfaces";
}

/// <summary>The order as it stands after the event; amounts are base-10 strings of base units.</summary>
[GenerateSerializer, Immutable]
public sealed record OrderEventPayload(
    [property: Id(0)] string Status,
    [property: Id(1)] string SellAsset,
    [property: Id(2)] string SellAmount,
    [property: Id(3)] string BuyAsset,
    [property: Id(4)] string MinBuyAmount,
    [property: Id(5)] string SoldAmount,
    [property: Id(6)] string BoughtAmount,
    [property: Id(7)] string? FillId,
    [property: Id(8)] string? FillSoldAmount,
    [property: Id(9)] string? FillBoughtAmount,
    [property: Id(10)] string? RejectReason);

/// <summary>
/// Source-generated JSON for order events (web defaults: camelCase), so publishing serializes without
/// reflection. Output is byte-for-byte the reflection serializer's (the public contract).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(OrderEvent))]
public sealed partial class OrderEventJsonContext : JsonSerializerContext;

/// <summary>Event type names: stable strings in the public contract.</summary>
public static class OrderEventTypes
{
    public const string Placed = "order.placed";
    public const string PartiallyFilled = "order.partially_filled";
    public const string Filled = "order.filled";
    public const string Cancelled = "order.cancelled";
    public const string Rejected = "order.rejected";
    /// <summary>A recorded fill the user's wallet could not take (its total would pass 2^256-1): undone on the order.</summary>
    public const string FillRefused = "order.fill_refused";
}

/// <summary>Where order events are published: one Orleans stream per user.</summary>
public static class OrderEventStream
{
    /// <summary>The Orleans stream provider (Kafka-backed in the silo).</summary>
    public const string ProviderName = "order-events";

    /// <summary>The stream namespace; the stream key is the user id.</summary>
    public const string Namespace = "order-events";
}
