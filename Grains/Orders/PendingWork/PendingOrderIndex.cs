using OrleansWallet.Common.PendingWork;
using OrleansWallet.Storage;

namespace OrleansWallet.Orders.PendingWork;

/// <summary><see cref="IPendingOrderIndex"/> in Redis: <c>{prefix}pending-orders/{shard}</c>, member the order id.</summary>
public sealed class PendingOrderIndex(WalletRedis redis, TimeProvider time)
    : PendingWorkIndex(redis, time, "pending-orders"), IPendingOrderIndex;
