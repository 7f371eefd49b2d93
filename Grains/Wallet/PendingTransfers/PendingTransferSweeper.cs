using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansWallet.Common.PendingWork;

namespace OrleansWallet.Wallet.PendingTransfers;

/// <summary>
/// Wakes the wallets that stayed in the pending-transfer index past the grace period: each
/// delivers the credits it still owes and leaves the index, or is postponed.
/// </summary>
public sealed class PendingTransferSweeper(IPendingTransferIndex index, IGrainFactory grains, IClusterMembershipService membership,
    ILocalSiloDetails localSilo, IOptions<PendingTransferOptions> options, TimeProvider time, IMeterFactory meterFactory,
    ILogger<PendingTransferSweeper> logger)
    : PendingWorkSweeper("transfer", "wallet.transfers", index, membership, localSilo, options.Value, time, meterFactory, logger)
{
    protected override Task WakeAsync(string userId) =>
        grains.GetGrainByKey<IWalletSettlementGrain>(userId).SettlePendingTransfers();
}
