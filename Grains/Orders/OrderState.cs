namespace OrleansWallet.Orders;

/// <summary>The persisted state of one order grain; the grain changes a <see cref="Clone"/> and keeps it once written.</summary>
[GenerateSerializer]
public sealed class OrderState
{
    [Id(0)] public Order? Order { get; set; }

    /// <summary>The order was cancelled and what it still holds has not been released on the wallet yet.</summary>
    [Id(1)] public bool ReleasePending { get; set; }

    // Id 2 was the "indexed" flag of the old per-user order list grain; the list is a Redis index now.

    /// <summary>
    /// The outbox: events recorded with the state change that caused them and not yet confirmed
    /// published, oldest first. Persisted with the change, so a crash re-publishes, never loses.
    /// </summary>
    [Id(3)] public List<OrderEvent> UnpublishedEvents { get; set; } = [];

    public bool HasPendingWalletWork =>
        Order is { } order && (order.Status == OrderStatus.Pending || ReleasePending
                               || order.Fills.Exists(f => !f.Settled && f.RefusedReason is null));

    public bool HasPendingWork => HasPendingWalletWork || UnpublishedEvents.Count > 0;

    public OrderState Clone() => new()
    {
        Order = Order?.Clone(),
        ReleasePending = ReleasePending,
        UnpublishedEvents = [.. UnpublishedEvents],
    };
}
