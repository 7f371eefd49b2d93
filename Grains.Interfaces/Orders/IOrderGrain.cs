namespace OrleansWallet.Orders;

/// <summary>
/// One order (key: order id). Placing holds the sold asset on the user's wallet; fills settle
/// held funds into the bought asset; cancel releases the rest. Each call is idempotent: the
/// order id keys Place, the fill id keys Fill, and Cancel of a cancelled order is a no-op.
/// </summary>
public interface IOrderGrain : IGrainWithStringKey
{
    Task<OrderView> Place(PlaceOrder command);

    Task<OrderView> Fill(FillOrder command);

    Task<OrderView> Cancel();

    /// <summary>The order, or <c>null</c> if it was never placed.</summary>
    Task<OrderView?> Get();
}
