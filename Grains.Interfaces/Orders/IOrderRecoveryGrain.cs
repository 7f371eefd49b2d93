namespace OrleansWallet.Orders;

/// <summary>An order's side of crash recovery. Called by the silos' pending-order sweep only; never exposed over the API.</summary>
public interface IOrderRecoveryGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs the order's recorded but unfinished wallet steps and publishes its unpublished events,
    /// then leaves the pending-order index if nothing is left (or stays, due again later).
    /// </summary>
    Task FinishPendingWork();
}
