using OrleansWallet.Storage;
using StackExchange.Redis;

namespace OrleansWallet.Wallet;

/// <summary>
/// Which wallets exist, so reconciliation can visit every one (including a wallet whose entries
/// are all still in its outbox): Redis sets <c>{prefix}wallets/{shard}</c>, added to once per new
/// wallet, before its first state write. Sixteen shards spread a directory of millions over a
/// Redis Cluster's nodes; each is read page by page (SSCAN), never whole.
/// </summary>
public sealed class WalletDirectory(WalletRedis redis)
{
    public const int ShardCount = 16;

    /// <summary>Idempotent.</summary>
    public Task RegisterAsync(string userId) => redis.Database.SetAddAsync(ShardKey(ShardOf(userId)), userId);

    public async IAsyncEnumerable<string> ListAsync()
    {
        var database = redis.Database;
        for (var shard = 0; shard < ShardCount; shard++)
            await foreach (var member in database.SetScanAsync(ShardKey(shard), pageSize: 1_000))
                yield return member.ToString();
    }

    public static int ShardOf(string userId)
    {
        // FNV-1a: stable across processes and versions, unlike string.GetHashCode.
        uint hash = 2166136261;
        foreach (var c in userId) hash = (hash ^ c) * 16777619;
        return (int)(hash % ShardCount);
    }

    private RedisKey ShardKey(int shard) => redis.Key($"wallets/{shard}");
}
