using Grpc.Core;
using OrleansWallet.Api.V1;
using OrleansWallet.Client;
using StackExchange.Redis;

namespace OrleansWallet.Integration.Tests;

/// <summary>Two silos sweeping both pending-work indexes every second, with the storage fault points on.</summary>
public sealed class SweepingCluster : IAsyncLifetime
{
    public WalletCluster Cluster { get; private set; } = null!;
    public ConnectionMultiplexer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await WalletCluster.StartAsync(silos: 2, new Dictionary<string, string?>
        {
            ["Wallet__PendingTransfers__SweepInterval"] = "00:00:01",
            ["Wallet__PendingTransfers__Grace"] = "00:00:01",
            ["Orders__PendingWork__SweepInterval"] = "00:00:01",
            ["Orders__PendingWork__Grace"] = "00:00:01",
            ["FaultInjection__StorageFaults"] = "true",
        });
        Redis = await ConnectionMultiplexer.ConnectAsync(Cluster.Redis.Endpoint);
    }

    public Task<HashSet<string>> IndexedAsync(string index) => PendingWorkIndexProbe.MembersAsync(Redis.GetDatabase(), index);

    public async Task<double[]> WokenBySiloAsync(string counter)
    {
        using var http = new HttpClient();
        return await Task.WhenAll(Cluster.Silos.Select(async silo => (await PrometheusScrape.FromAsync(http, silo)).Sum(counter)));
    }

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>
/// The pending-work indexes stay as small as the work in flight: every payer enters the
/// pending-transfer index before its debit, every order the pending-order index before its first
/// write, and the silos' sweeps (each over its own shards) take out every grain with nothing left,
/// and finish the work of grains nobody calls.
/// </summary>
public sealed class PendingWorkSweepTests(SweepingCluster sweeping) : IClassFixture<SweepingCluster>
{
    private const string TransferSweepWoken = "orleanswallet_wallet_wallet_transfers_sweep_woken";
    private const string OrderSweepWoken = "orleanswallet_wallet_wallet_orders_sweep_woken";

    private readonly WalletChannel[] _channels = [sweeping.Cluster.Channel(0), sweeping.Cluster.Channel(1)];

    [Fact]
    public async Task Payers_enter_the_index_before_their_debit_and_leave_it_once_settled()
    {
        // Enough payers that every shard, so both silos' shares, holds some.
        var payee = Ids.User("payee");
        var payers = Enumerable.Range(0, 64).Select(i => Ids.User($"payer{i}")).ToList();
        await Task.WhenAll(payers.Select(async (payer, i) =>
        {
            var channel = _channels[i % 2];
            await channel.Wallets.CreditDepositAsync(payer, "ETH", 100, "0xsweep:" + payer);
            await channel.Wallets.TransferAsync(payer, payee, "ETH", 10, "t-sweep");
            await channel.Wallets.TransferAsync(payer, payee, "ETH", 5, "t-sweep-2");
        }));

        // Only a sweep takes a wallet out, so an empty index after 64 payers means each was woken.
        await Eventually.HoldsAsync(async () => (await sweeping.IndexedAsync(PendingWorkIndexProbe.Transfers)).Count == 0,
            TimeSpan.FromSeconds(60),
            () => $"still in the index: {string.Join(", ", sweeping.IndexedAsync(PendingWorkIndexProbe.Transfers).Result)}");
        var woken = await sweeping.WokenBySiloAsync(TransferSweepWoken);
        Assert.True(woken.Sum() >= payers.Count, $"woken {string.Join(" + ", woken)} < {payers.Count}");
        Assert.All(woken, w => Assert.True(w > 0, "each silo sweeps its own shards"));

        // Settled, answered once, and the money where it should be.
        Assert.Equal([new Balance("ETH", 64 * 15, 0)], await _channels[0].Wallets.GetBalancesAsync(payee));
        foreach (var payer in payers.Take(4))
        {
            Assert.Equal([new Balance("ETH", 85, 0)], await _channels[1].Wallets.GetBalancesAsync(payer));
            Assert.True((await _channels[1].Wallets.TransferAsync(payer, payee, "ETH", 10, "t-sweep")).Replayed);
        }

        // A wallet taken out enters again with its next transfer.
        await _channels[0].Wallets.TransferAsync(payers[0], payee, "ETH", 1, "t-sweep-3");
        Assert.Contains(payers[0], await sweeping.IndexedAsync(PendingWorkIndexProbe.Transfers));
    }

    [Fact]
    public async Task Orders_enter_the_index_before_their_first_write_and_leave_it_once_finished()
    {
        var users = Enumerable.Range(0, 48).Select(i => Ids.User($"trader{i}")).ToList();
        var orders = users.Select(_ => Ids.Key("o")).ToList();
        await Task.WhenAll(users.Select(async (user, i) =>
        {
            var channel = _channels[i % 2];
            await channel.Wallets.CreditDepositAsync(user, "ETH", 100, "0xosweep:" + user);
            await channel.Orders.PlaceAsync(orders[i], user, "ETH", 40, "USDC", 40);
            // A sweep may have taken a finished order out already, but not before it was placed.
            await channel.Orders.FillAsync(orders[i], "f1", 10, 12);
            if (i % 2 == 0) await channel.Orders.CancelAsync(orders[i]);
        }));

        // Each order entered before its first write, and only a sweep takes one out: an index with
        // none of them left means each was woken and found finished.
        await Eventually.HoldsAsync(async () => !(await sweeping.IndexedAsync(PendingWorkIndexProbe.Orders)).Overlaps(orders),
            TimeSpan.FromSeconds(60),
            () => $"still in the index: {string.Join(", ", sweeping.IndexedAsync(PendingWorkIndexProbe.Orders).Result.Intersect(orders))}");
        var woken = await sweeping.WokenBySiloAsync(OrderSweepWoken);
        Assert.True(woken.Sum() >= orders.Count, $"woken {string.Join(" + ", woken)} < {orders.Count}");
        Assert.All(woken, w => Assert.True(w > 0, "each silo sweeps its own shards"));

        // Waking changed nothing: the cancelled ones released, the others still hold the rest.
        Assert.Equal([new Balance("ETH", 90, 0), new Balance("USDC", 12, 0)], await _channels[0].Wallets.GetBalancesAsync(users[0]));
        Assert.Equal([new Balance("ETH", 60, 30), new Balance("USDC", 12, 0)], await _channels[0].Wallets.GetBalancesAsync(users[1]));

        // An order taken out enters again with its next change.
        await _channels[1].Orders.CancelAsync(orders[1]);
        Assert.Contains(orders[1], await sweeping.IndexedAsync(PendingWorkIndexProbe.Orders));
    }

    [Fact]
    public async Task An_order_whose_hold_failed_is_finished_by_the_sweep_without_another_call()
    {
        var alice = Ids.User("alice");
        await _channels[0].Wallets.CreditDepositAsync(alice, "ETH", 100, "0xohold:" + alice);
        var orderId = Ids.Key("o");

        // The order is recorded, then the wallet's write of the hold fails: the caller is told to retry.
        await FaultPoints.FailAsync(sweeping.Redis.GetDatabase(), "write", "wallet", alice);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await new OrderService.OrderServiceClient(sweeping.Cluster.RawInvoker(0)).PlaceOrderAsync(new PlaceOrderRequest
            {
                OrderId = orderId, UserId = alice, SellAsset = "ETH", SellAmount = "30", BuyAsset = "USDC", MinBuyAmount = "30",
            }));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal([new Balance("ETH", 100, 0)], await _channels[1].Wallets.GetBalancesAsync(alice));

        // Nobody calls the order again; the sweep places its hold, publishes its events and takes it out.
        await Eventually.HoldsAsync(async () => !(await sweeping.IndexedAsync(PendingWorkIndexProbe.Orders)).Contains(orderId),
            TimeSpan.FromSeconds(60), () => $"order {orderId} still in the pending-order index");
        Assert.Equal([new Balance("ETH", 70, 30)], await _channels[1].Wallets.GetBalancesAsync(alice));
        Assert.Equal(OrderState.Placed, (await _channels[0].Orders.GetAsync(orderId)).State);
    }
}
