using Orleans.Serialization;
using OrleansWallet.Storage;
using StackExchange.Redis;

namespace OrleansWallet.Wallet;

/// <summary>
/// The answers of every applied wallet operation, by wallet and operation key: one Redis hash per
/// wallet (<c>{prefix}ops/{user}</c>), written by the silo's outbox writer after the wallet's own
/// state write succeeded, and never rewritten. It lets a wallet keep only in-flight answers in its
/// state (so each write stays O(1)) and still answer any old key exactly: replay, or conflict if the
/// payload differs. Values are Orleans-serialized <see cref="OperationRecord"/>s (~60–100 bytes).
/// </summary>
public sealed class OperationArchive(WalletRedis redis, Serializer<OperationRecord> serializer)
{
    /// <summary>The records the archive holds for <paramref name="keys"/> (one round trip); absent keys were never archived.</summary>
    public async Task<IReadOnlyDictionary<string, OperationRecord>> FindAsync(string userId, IReadOnlyList<string> keys)
    {
        var fields = new RedisValue[keys.Count];
        for (var i = 0; i < keys.Count; i++) fields[i] = keys[i];
        var values = await redis.Database.HashGetAsync(HashKey(userId), fields);
        var found = new Dictionary<string, OperationRecord>(StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
            if (values[i].HasValue) found[keys[i]] = serializer.Deserialize((byte[])values[i]!)!;
        return found;
    }

    /// <summary>Writes one wallet's records in one command; called concurrently for many wallets, so they pipeline.</summary>
    public Task ArchiveAsync(string userId, IReadOnlyList<OperationRecord> records)
    {
        var entries = new HashEntry[records.Count];
        for (var i = 0; i < records.Count; i++) entries[i] = new HashEntry(records[i].Key, serializer.SerializeToArray(records[i]));
        return redis.Database.HashSetAsync(HashKey(userId), entries);
    }

    private RedisKey HashKey(string userId) => redis.Key("ops/" + userId);
}
