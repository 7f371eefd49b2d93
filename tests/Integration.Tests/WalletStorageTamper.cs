using System.Numerics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansWallet.Money;
using OrleansWallet.Wallet;
using StackExchange.Redis;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// Changes a wallet's persisted state behind the grain's back, as a storage bug or a hand edit
/// would: reads the Redis hash the Orleans Redis storage keeps (fields <c>etag</c> and
/// <c>data</c>, key <c>{serviceId}/state/{grainId}/{stateName}</c>), deserializes <c>data</c> with
/// Orleans' serializer and the Grains assembly's own state types (the silo stores state in that
/// binary format: Silo/Hosting/OrleansBinaryStorageSerializer.cs), changes one balance and writes
/// it back under a new ETag. The silos must not hold the wallet active meanwhile: stop them first.
/// The only code in the tests that knows WalletState's shape: adapt it here when that shape changes.
/// </summary>
internal static class WalletStorageTamper
{
    private static readonly Lazy<Serializer> StateSerializer = new(() => new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(WalletState).Assembly).AddAssembly(typeof(Amount).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>());

    /// <summary>Sets the persisted available balance of <paramref name="asset"/> in <paramref name="userId"/>'s wallet.</summary>
    public static async Task SetAvailableAsync(string redisEndpoint, string serviceId, string userId, string asset, BigInteger available)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisEndpoint);
        var database = redis.GetDatabase();
        var key = $"{serviceId}/state/wallet/{userId}/wallet";
        var data = (byte[]?)await database.HashGetAsync(key, "data");
        if (data is null || data.Length == 0)
        {
            var server = redis.GetServer(redis.GetEndPoints()[0]);
            var near = server.Keys(pattern: $"*{userId}*").Select(k => k.ToString()).ToList();
            throw new InvalidOperationException($"no wallet state at '{key}'; keys naming the user: {string.Join(", ", near)}");
        }
        var state = StateSerializer.Value.Deserialize<WalletState>(data)
            ?? throw new InvalidOperationException($"'{key}' holds no wallet state");
        if (!state.Balances.TryGetValue(asset, out var balance))
            throw new InvalidOperationException($"wallet {userId} has no {asset} balance to change");
        state.Balances[asset] = balance with { Available = Amount.From(available) };
        await database.HashSetAsync(key,
        [
            new HashEntry("etag", "tampered-" + Guid.NewGuid().ToString("N")),
            new HashEntry("data", StateSerializer.Value.SerializeToArray(state)),
        ]);
    }
}
