using System.Text;
using OrleansWallet.Storage;
using StackExchange.Redis;

namespace OrleansWallet.Wallet.PendingTransfers;

/// <summary>
/// <see cref="IPendingTransferIndex"/> as <see cref="ShardCount"/> sorted sets in Redis,
/// <c>{prefix}pending-transfers/{shard}</c>, member the user id, score the time (Unix ms) the
/// wallet entered or was last postponed. Sharded so the silos can split the sweeping without
/// talking to each other, and so no single key holds every wallet.
/// </summary>
public sealed class PendingTransferIndex(WalletRedis redis, TimeProvider time) : IPendingTransferIndex
{
    /// <summary>Fixed: a wallet's shard must not change while it is in the index.</summary>
    public const int ShardCount = 16;

    public Task AddAsync(string userId) =>
        redis.Database.SortedSetAddAsync(ShardKey(ShardOf(userId)), userId, Now());

    public Task PostponeAsync(string userId) =>
        redis.Database.SortedSetAddAsync(ShardKey(ShardOf(userId)), userId, Now(), SortedSetWhen.Exists);

    public Task RemoveAsync(string userId) =>
        redis.Database.SortedSetRemoveAsync(ShardKey(ShardOf(userId)), userId);

    public async Task<IReadOnlyList<string>> DueAsync(int shard, DateTimeOffset dueBefore, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, ShardCount);
        var members = await redis.Database.SortedSetRangeByScoreAsync(ShardKey(shard),
            double.NegativeInfinity, dueBefore.ToUnixTimeMilliseconds(), Exclude.Stop, Order.Ascending, 0, count);
        return members.Select(m => m.ToString()).ToArray();
    }

    /// <summary>FNV-1a over the id's UTF-8 bytes: stable across processes (string.GetHashCode is not).</summary>
    public static int ShardOf(string userId)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(userId))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return (int)(hash % ShardCount);
    }

    private RedisKey ShardKey(int shard) => redis.Key($"pending-transfers/{shard}");

    private double Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
