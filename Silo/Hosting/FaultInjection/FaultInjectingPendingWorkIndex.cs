using OrleansWallet.Common.PendingWork;
using OrleansWallet.Orders.PendingWork;
using OrleansWallet.Wallet.PendingTransfers;

namespace OrleansWallet.Silo.Hosting.FaultInjection;

/// <summary>
/// A pending-work index, failing the entries a test asked to fail (see <see cref="FaultSwitch"/>):
/// fault point <paramref name="point"/>, grain <c>{grainType}/{key}</c>.
/// </summary>
internal abstract class FaultInjectingPendingWorkIndex(IPendingWorkIndex inner, FaultSwitch faults, string point, string grainType)
    : IPendingWorkIndex
{
    public async Task AddAsync(string id)
    {
        if (await faults.ShouldFailAsync(point, GrainId.Create(grainType, id)))
            throw new TimeoutException($"fault injection: {point} entry of {grainType} {id} failed");
        await inner.AddAsync(id);
    }

    public Task PostponeAsync(string id) => inner.PostponeAsync(id);

    public Task RemoveAsync(string id) => inner.RemoveAsync(id);

    public Task<IReadOnlyList<string>> DueAsync(int shard, DateTimeOffset dueBefore, int count) => inner.DueAsync(shard, dueBefore, count);
}

internal sealed class FaultInjectingPendingTransferIndex(IPendingTransferIndex inner, FaultSwitch faults)
    : FaultInjectingPendingWorkIndex(inner, faults, "pending-transfer-index", "wallet"), IPendingTransferIndex;

internal sealed class FaultInjectingPendingOrderIndex(IPendingOrderIndex inner, FaultSwitch faults)
    : FaultInjectingPendingWorkIndex(inner, faults, "pending-order-index", "order"), IPendingOrderIndex;
