using OrleansWallet.Money;

namespace OrleansWallet.Orders;

[GenerateSerializer, Immutable]
public sealed record OrderView(
    [property: Id(0)] string OrderId,
    [property: Id(1)] string UserId,
    [property: Id(2)] string SellAsset,
    [property: Id(3)] Amount SellAmount,
    [property: Id(4)] string BuyAsset,
    [property: Id(5)] Amount MinBuyAmount,
    [property: Id(6)] OrderStatus Status,
    [property: Id(7)] Amount SoldAmount,
    [property: Id(8)] Amount BoughtAmount,
    [property: Id(9)] string? RejectReason,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] DateTimeOffset UpdatedAt);
