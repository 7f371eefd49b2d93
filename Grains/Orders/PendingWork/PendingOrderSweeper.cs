using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansWallet.Common.PendingWork;

namespace OrleansWallet.Orders.PendingWork;

/// <summary>
/// Wakes the orders that stayed in the pending-order index past the grace period: each runs its
/// unfinished wallet steps, publishes its events and leaves the index, or is postponed.
/// </summary>
public sealed class PendingOrderSweeper(IPendingOrderIndex index, IGrainFactory grains, IClusterMembershipService membership,
    ILocalSiloDetails localSilo, IOptions<PendingOrderOptions> options, TimeProvider time, IMeterFactory meterFactory,
    ILogger<PendingOrderSweeper> logger)
    : PendingWorkSweeper("order", "wallet.orders", index, membership, localSilo, options.Value, time, meterFactory, logger)
{
    protected override Task WakeAsync(string orderId) =>
        grains.GetGrainByKey<IOrderRecoveryGrain>(orderId).FinishPendingWork();
}
