using OrleansWallet.Common.PendingWork;
using StackExchange.Redis;

namespace OrleansWallet.Integration.Tests;

/// <summary>Reads a pending-work index as it stands in the test cluster's Redis (every shard).</summary>
internal static class PendingWorkIndexProbe
{
    public const string Transfers = "pending-transfers";
    public const string Orders = "pending-orders";

    /// <param name="index"><see cref="Transfers"/> or <see cref="Orders"/>.</param>
    public static async Task<HashSet<string>> MembersAsync(IDatabase database, string index)
    {
        var members = new HashSet<string>(StringComparer.Ordinal);
        for (var shard = 0; shard < PendingWorkIndex.ShardCount; shard++)
            foreach (var member in await database.SortedSetRangeByRankAsync($"{SiloProcess.ServiceId}/{index}/{shard}"))
                members.Add(member.ToString());
        return members;
    }
}
