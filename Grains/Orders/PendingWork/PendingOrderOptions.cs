using OrleansWallet.Common.PendingWork;

namespace OrleansWallet.Orders.PendingWork;

/// <summary>
/// How the silos finish order changes interrupted between their write and their wallet step or
/// event (configuration section <c>Orders:PendingWork</c>): an order re-activated by any call
/// finishes its own at once; the sweep is for orders nobody calls.
/// </summary>
public sealed class PendingOrderOptions() : PendingWorkOptions(Section)
{
    public const string Section = "Orders:PendingWork";
}
