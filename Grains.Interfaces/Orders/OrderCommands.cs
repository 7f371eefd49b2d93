using OrleansWallet.Money;

namespace OrleansWallet.Orders;

/// <summary>
/// Sell up to <see cref="SellAmount"/> of <see cref="SellAsset"/> for at least
/// <see cref="MinBuyAmount"/> of <see cref="BuyAsset"/> (the limit, as a ratio of base units).
/// The order id (the grain key) is the idempotency key.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PlaceOrder(
    [property: Id(0)] string UserId,
    [property: Id(1)] string SellAsset,
    [property: Id(2)] Amount SellAmount,
    [property: Id(3)] string BuyAsset,
    [property: Id(4)] Amount MinBuyAmount);

/// <summary>An executor's report: <see cref="Sold"/> of the sell asset went for <see cref="Bought"/> of the buy asset.</summary>
[GenerateSerializer, Immutable]
public sealed record FillOrder(
    [property: Id(0)] string FillId,
    [property: Id(1)] Amount Sold,
    [property: Id(2)] Amount Bought);
