using System.Text;
using OrleansWallet.Storage;
using StackExchange.Redis;

namespace OrleansWallet.Common.PendingWork;

/// <summary>
/// <see cref="IPendingWorkIndex"/> as <see cref="ShardCount"/> sorted sets in Redis,
/// <c>{prefix}{name}/{shard}</c>, member the grain's key, score the time (Unix ms) it entered or
/// was last postponed. Sharded so the silos can split the sweeping without talking to each other,
/// and so no single key holds every grain.
/// </summary>
public abstract class PendingWorkIndex(WalletRedis redis, TimeProvider time, string name) : IPendingWorkIndex
{
    /// <summary>Fixed: a grain's shard must not change while it is in the index.</summary>
    public const int ShardCount = 16;

    public Task AddAsync(string id) =>
        redis.Database.SortedSetAddAsync(ShardKey(ShardOf(id)), id, Now());

    public Task PostponeAsync(string id) =>
        redis.Database.SortedSetAddAsync(ShardKey(ShardOf(id)), id, Now(), SortedSetWhen.Exists);

    public Task RemoveAsync(string id) =>
        redis.Database.SortedSetRemoveAsync(ShardKey(ShardOf(id)), id);

    public async Task<IReadOnlyList<string>> DueAsync(int shard, DateTimeOffset dueBefore, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, ShardCount);
        var members = await redis.Database.SortedSetRangeByScoreAsync(ShardKey(shard),
            double.NegativeInfinity, dueBefore.ToUnixTimeMilliseconds(), Exclude.Stop, Order.Ascending, 0, count);
        return members.Select(m => m.ToString()).ToArray();
    }

    /// <summary>FNV-1a over the key's UTF-8 bytes: stable across processes (string.GetHashCode is not).</summary>
    public static int ShardOf(string id)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(id))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return (int)(hash % ShardCount);
    }

    private RedisKey ShardKey(int shard) => redis.Key($"{name}/{shard}");

    private double Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
