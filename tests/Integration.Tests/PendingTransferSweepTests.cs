using OrleansWallet.Client;
using StackExchange.Redis;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// The pending-transfer index stays as small as the transfers in flight: every payer enters it
/// before its debit, and the silos' sweeps (each over its own shards) take every settled wallet out.
/// </summary>
public sealed class PendingTransferSweepTests
{
    private const string SweepWoken = "orleanswallet_wallet_wallet_transfers_sweep_woken";

    [Fact]
    public async Task Payers_enter_the_index_before_their_debit_and_leave_it_once_settled()
    {
        await using var cluster = await WalletCluster.StartAsync(silos: 2, new Dictionary<string, string?>
        {
            ["Wallet__PendingTransfers__SweepInterval"] = "00:00:01",
            ["Wallet__PendingTransfers__Grace"] = "00:00:01",
        });
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.Endpoint);
        Task<HashSet<string>> IndexedAsync() => PendingTransferIndexProbe.MembersAsync(redis.GetDatabase());

        // Enough payers that every shard, so both silos' shares, holds some.
        var payee = Ids.User("payee");
        var payers = Enumerable.Range(0, 64).Select(i => Ids.User($"payer{i}")).ToList();
        var channels = new[] { cluster.Channel(0), cluster.Channel(1) };
        await Task.WhenAll(payers.Select(async (payer, i) =>
        {
            var channel = channels[i % 2];
            await channel.Wallets.CreditDepositAsync(payer, "ETH", 100, "0xsweep:" + payer);
            await channel.Wallets.TransferAsync(payer, payee, "ETH", 10, "t-sweep");
            await channel.Wallets.TransferAsync(payer, payee, "ETH", 5, "t-sweep-2");
        }));

        // Only a sweep takes a wallet out, so an empty index after 64 payers means each was woken.
        await Eventually.HoldsAsync(async () => (await IndexedAsync()).Count == 0, TimeSpan.FromSeconds(60),
            () => $"still in the index: {string.Join(", ", IndexedAsync().Result)}");
        using var http = new HttpClient();
        var woken = await Task.WhenAll(cluster.Silos.Select(async silo =>
            (await PrometheusScrape.FromAsync(http, silo)).Sum(SweepWoken)));
        Assert.True(woken.Sum() >= payers.Count, $"woken {string.Join(" + ", woken)} < {payers.Count}");
        Assert.All(woken, w => Assert.True(w > 0, "each silo sweeps its own shards"));

        // Settled, answered once, and the money where it should be.
        Assert.Equal([new Balance("ETH", 64 * 15, 0)], await channels[0].Wallets.GetBalancesAsync(payee));
        foreach (var payer in payers.Take(4))
        {
            Assert.Equal([new Balance("ETH", 85, 0)], await channels[1].Wallets.GetBalancesAsync(payer));
            Assert.True((await channels[1].Wallets.TransferAsync(payer, payee, "ETH", 10, "t-sweep")).Replayed);
        }

        // A wallet taken out enters again with its next transfer.
        await channels[0].Wallets.TransferAsync(payers[0], payee, "ETH", 1, "t-sweep-3");
        Assert.Contains(payers[0], await IndexedAsync());
    }
}
