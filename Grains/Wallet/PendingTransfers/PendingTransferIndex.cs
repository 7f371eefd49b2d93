using OrleansWallet.Common.PendingWork;
using OrleansWallet.Storage;

namespace OrleansWallet.Wallet.PendingTransfers;

/// <summary><see cref="IPendingTransferIndex"/> in Redis: <c>{prefix}pending-transfers/{shard}</c>, member the user id.</summary>
public sealed class PendingTransferIndex(WalletRedis redis, TimeProvider time)
    : PendingWorkIndex(redis, time, "pending-transfers"), IPendingTransferIndex;
