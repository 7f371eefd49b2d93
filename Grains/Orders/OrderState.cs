namespace OrleansWallet.Orders;

/// <summary>The persisted state of one order grain.</summary>
[GenerateSerializer]
public sealed class OrderState
{
    [Id(0)] public Order? Order { get; set; }

    /// <summary>The order was cancelled and what it still holds has not been released on the wallet yet.</summary>
    [Id(1)] public bool ReleasePending { get; set; }

    /// <summary>The order is recorded in its user's order list.</summary>
    [Id(2)] public bool Indexed { get; set; }

    /// <summary>
    /// The outbox: events recorded with the state change that caused them and not yet confirmed
    /// published, oldest first. Persisted with the change, so a crash re-publishes, never loses.
    /// </summary>
    [Id(3)] public List<OrderEvent> UnpublishedEvents { get; set; } = [];

    public bool HasPendingWalletWork =>
        Order is { } order && (order.Status == OrderStatus.Pending || ReleasePending || !Indexed || order.Fills.Exists(f => !f.Settled));

    public bool HasPendingWork => HasPendingWalletWork || UnpublishedEvents.Count > 0;
}
