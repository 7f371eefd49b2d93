using OrleansWallet.Wallet.PendingTransfers;
using StackExchange.Redis;

namespace OrleansWallet.Integration.Tests;

/// <summary>Reads the pending-transfer index as it stands in the test cluster's Redis (every shard).</summary>
internal static class PendingTransferIndexProbe
{
    public static async Task<HashSet<string>> MembersAsync(IDatabase database)
    {
        var members = new HashSet<string>(StringComparer.Ordinal);
        for (var shard = 0; shard < PendingTransferIndex.ShardCount; shard++)
            foreach (var member in await database.SortedSetRangeByRankAsync($"{SiloProcess.ServiceId}/pending-transfers/{shard}"))
                members.Add(member.ToString());
        return members;
    }
}
