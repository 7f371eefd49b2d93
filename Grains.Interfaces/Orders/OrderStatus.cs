namespace OrleansWallet.Orders;

/// <summary>
/// Placed → PartiallyFilled → Filled | Cancelled | Expired; Pending → Placed | Rejected.
/// Pending is the short window while the order's funds are being reserved on the wallet.
/// </summary>
public enum OrderStatus
{
    Pending = 0,
    Placed = 1,
    PartiallyFilled = 2,
    Filled = 3,
    Cancelled = 4,
    Rejected = 5,
    Expired = 6,
}

public static class OrderStatusExtensions
{
    public static bool IsFinal(this OrderStatus status) =>
        status is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Rejected or OrderStatus.Expired;
}
