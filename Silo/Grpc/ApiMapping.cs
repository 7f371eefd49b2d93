using Google.Protobuf.WellKnownTypes;
using OrleansWallet.Api.V1;
using OrleansWallet.Money;
using OrleansWallet.Orders;
using OrleansWallet.Wallet;
using AssetBalance = OrleansWallet.Wallet.AssetBalance;
using OrderStatus = OrleansWallet.Orders.OrderStatus;

namespace OrleansWallet.Silo.Grpc;

/// <summary>Converts between wire messages and domain types; amounts are parsed strictly here.</summary>
internal static class ApiMapping
{
    public static Amount ParseAmount(string text, string field) => Amount.Parse(text, field);

    public static Api.V1.AssetBalance ToProto(this AssetBalance balance) => new()
    {
        Asset = balance.Asset,
        Available = balance.Available.ToString(),
        Held = balance.Held.ToString(),
    };

    public static OperationReply ToProto(this OperationResult result) => new()
    {
        OperationId = result.OperationId,
        Balance = result.Balance.ToProto(),
        Replayed = result.Replayed,
    };

    public static Api.V1.Order ToProto(this OrderView order) => new()
    {
        OrderId = order.OrderId,
        UserId = order.UserId,
        SellAsset = order.SellAsset,
        SellAmount = order.SellAmount.ToString(),
        BuyAsset = order.BuyAsset,
        MinBuyAmount = order.MinBuyAmount.ToString(),
        Status = order.Status.ToProto(),
        SoldAmount = order.SoldAmount.ToString(),
        BoughtAmount = order.BoughtAmount.ToString(),
        RejectReason = order.RejectReason ?? "",
        CreatedAt = Timestamp.FromDateTimeOffset(order.CreatedAt),
        UpdatedAt = Timestamp.FromDateTimeOffset(order.UpdatedAt),
    };

    public static Api.V1.OrderStatus ToProto(this OrderStatus status) => status switch
    {
        OrderStatus.Pending => Api.V1.OrderStatus.Pending,
        OrderStatus.Placed => Api.V1.OrderStatus.Placed,
        OrderStatus.PartiallyFilled => Api.V1.OrderStatus.PartiallyFilled,
        OrderStatus.Filled => Api.V1.OrderStatus.Filled,
        OrderStatus.Cancelled => Api.V1.OrderStatus.Cancelled,
        OrderStatus.Rejected => Api.V1.OrderStatus.Rejected,
        OrderStatus.Expired => Api.V1.OrderStatus.Expired,
        _ => Api.V1.OrderStatus.Unspecified,
    };
}
