using OrleansWallet.Common.PendingWork;

namespace OrleansWallet.Orders.PendingWork;

/// <summary>
/// The orders that may hold a recorded wallet step not yet run, or an event not yet published. An
/// order enters itself before it records such work and takes itself out once it has none; the
/// silos' <see cref="PendingOrderSweeper"/> wakes the ones that stay.
/// </summary>
public interface IPendingOrderIndex : IPendingWorkIndex;
