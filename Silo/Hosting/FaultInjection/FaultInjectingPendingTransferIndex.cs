using OrleansWallet.Wallet.PendingTransfers;

namespace OrleansWallet.Silo.Hosting.FaultInjection;

/// <summary>The pending-transfer index, failing the entries a test asked to fail (see <see cref="FaultSwitch"/>).</summary>
internal sealed class FaultInjectingPendingTransferIndex(IPendingTransferIndex inner, FaultSwitch faults) : IPendingTransferIndex
{
    public async Task AddAsync(string userId)
    {
        if (await faults.ShouldFailAsync("pending-transfer-index", GrainId.Create("wallet", userId)))
            throw new TimeoutException($"fault injection: pending-transfer index entry of wallet {userId} failed");
        await inner.AddAsync(userId);
    }

    public Task PostponeAsync(string userId) => inner.PostponeAsync(userId);

    public Task RemoveAsync(string userId) => inner.RemoveAsync(userId);

    public Task<IReadOnlyList<string>> DueAsync(int shard, DateTimeOffset dueBefore, int count) => inner.DueAsync(shard, dueBefore, count);
}
