using System.Globalization;
using System.Numerics;
using OrleansWallet.Api.V1;

namespace OrleansWallet.Client;

/// <summary>One asset's balance in base units.</summary>
public sealed record Balance(string Asset, BigInteger Available, BigInteger Held);

/// <summary>The answer to a wallet mutation; <see cref="Replayed"/> when it repeats an earlier request's answer.</summary>
public sealed record OperationOutcome(string OperationId, Balance Balance, bool Replayed);

public sealed record AssetDescription(string Symbol, string Chain, int Decimals);

public enum OrderState
{
    Unknown,
    Pending,
    Placed,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
    Expired,
}

public sealed record OrderInfo(
    string OrderId,
    string UserId,
    string SellAsset,
    BigInteger SellAmount,
    string BuyAsset,
    BigInteger MinBuyAmount,
    OrderState State,
    BigInteger SoldAmount,
    BigInteger BoughtAmount,
    string? RejectReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// One change of an order, as published to Kafka. <see cref="Sequence"/> orders an order's
/// events; drop repeats by <see cref="EventId"/>.
/// </summary>
public sealed record OrderEventInfo(
    string EventId,
    string Type,
    string UserId,
    string OrderId,
    long Sequence,
    DateTimeOffset Timestamp,
    OrderInfo Order,
    string? FillId,
    BigInteger? FillSoldAmount,
    BigInteger? FillBoughtAmount);

public sealed record OrderPage(IReadOnlyList<OrderInfo> Orders, string? NextPageToken);

internal static class ModelMapping
{
    public static BigInteger ParseAmount(string text) => BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    public static string Format(BigInteger amount) => amount.ToString(CultureInfo.InvariantCulture);

    public static Balance ToModel(this Api.V1.AssetBalance b) =>
        new(b.Asset, ParseAmount(b.Available), ParseAmount(b.Held));

    public static OperationOutcome ToModel(this OperationReply r) =>
        new(r.OperationId, r.Balance.ToModel(), r.Replayed);

    public static OrderEventInfo ToModel(this OrderEvent e) => new(
        e.EventId, e.Type, e.UserId, e.OrderId, e.Sequence, e.Timestamp.ToDateTimeOffset(), e.Order.ToModel(),
        string.IsNullOrEmpty(e.FillId) ? null : e.FillId,
        string.IsNullOrEmpty(e.FillSoldAmount) ? null : ParseAmount(e.FillSoldAmount),
        string.IsNullOrEmpty(e.FillBoughtAmount) ? null : ParseAmount(e.FillBoughtAmount));

    public static OrderInfo ToModel(this Order o) => new(
        o.OrderId, o.UserId, o.SellAsset, ParseAmount(o.SellAmount), o.BuyAsset, ParseAmount(o.MinBuyAmount),
        o.Status switch
        {
            OrderStatus.Pending => OrderState.Pending,
            OrderStatus.Placed => OrderState.Placed,
            OrderStatus.PartiallyFilled => OrderState.PartiallyFilled,
            OrderStatus.Filled => OrderState.Filled,
            OrderStatus.Cancelled => OrderState.Cancelled,
            OrderStatus.Rejected => OrderState.Rejected,
            OrderStatus.Expired => OrderState.Expired,
            _ => OrderState.Unknown,
        },
        ParseAmount(o.SoldAmount), ParseAmount(o.BoughtAmount),
        string.IsNullOrEmpty(o.RejectReason) ? null : o.RejectReason,
        o.CreatedAt?.ToDateTimeOffset() ?? default, o.UpdatedAt?.ToDateTimeOffset() ?? default);
}
