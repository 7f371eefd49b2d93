using System.Numerics;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>Crashes and restarts: acknowledged operations survive, interrupted ones finish exactly once.</summary>
public sealed class RecoveryTests
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string?> NoFaults = new()
    {
        ["FaultInjection__CrashAfterTransferDebit"] = "false",
        ["FaultInjection__CrashAfterFillRecorded"] = "false",
    };

    [Fact]
    public async Task Balances_survive_a_full_cluster_restart()
    {
        await using var cluster = await WalletCluster.StartAsync(silos: 2);
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        var channel = cluster.Channel(0);
        await WithdrawalSetup.AllowWithdrawalsAsync(channel, alice);
        await channel.Wallets.CreditDepositAsync(alice, "BTC", 5_000, "0xrestart:" + alice);
        await channel.Wallets.TransferAsync(alice, bob, "BTC", 1_250, "t1");
        await channel.Wallets.RequestWithdrawalAsync(alice, "w1", "BTC", 250, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
        var orderId = Ids.Key("o");
        await channel.Orders.PlaceAsync(orderId, bob, "BTC", 1_000, "ETH", 10);
        var before = (await channel.Wallets.GetBalancesAsync(alice), await channel.Wallets.GetBalancesAsync(bob));

        await cluster.RestartAllSilosAsync();

        var after = cluster.Channel(1);
        Assert.Equal(before.Item1, await after.Wallets.GetBalancesAsync(alice));
        Assert.Equal(before.Item2, await after.Wallets.GetBalancesAsync(bob));
        Assert.Equal([new Balance("BTC", 3_500, 250)], before.Item1);
        Assert.Equal([new Balance("BTC", 250, 1_000)], before.Item2);
        Assert.Equal(OrderState.Placed, (await after.Orders.GetAsync(orderId)).State);
        // State, not just balances, survived: the withdrawal can still complete, once.
        await after.Wallets.CompleteWithdrawalAsync(alice, "w1");
        Assert.True((await after.Wallets.CompleteWithdrawalAsync(alice, "w1")).Replayed);
    }

    /// <summary>The pending-transfer sweep every second, for wallets in the index over a second.</summary>
    private static readonly Dictionary<string, string?> FastSweep = new()
    {
        ["Wallet__PendingTransfers__SweepInterval"] = "00:00:01",
        ["Wallet__PendingTransfers__Grace"] = "00:00:01",
    };

    [Fact]
    public async Task A_transfer_whose_silo_dies_midway_completes_exactly_once_after_restart()
    {
        await using var cluster = await WalletCluster.StartAsync(silos: 1,
            new Dictionary<string, string?>(FastSweep) { ["FaultInjection__CrashAfterTransferDebit"] = "true" });
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        var channel = cluster.Channel(0);
        await channel.Wallets.CreditDepositAsync(alice, "ETH", 1_000, "0xcrash:" + alice);

        // The silo persists the debit intent, then dies before crediting bob.
        await Assert.ThrowsAnyAsync<WalletApiException>(() => channel.Wallets.TransferAsync(alice, bob, "ETH", 400, "t-crash"));
        await cluster.Silos[0].WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("fault injection: after transfer debit", cluster.Silos[0].Output);

        await cluster.RestartSiloAsync(0, NoFaults);
        var recovered = cluster.Channel(0);
        // Nobody calls alice: the restarted silo's sweep finds her in the pending-transfer index,
        // and her re-activated wallet delivers the credit.
        await Eventually.ReturnsAsync(() => recovered.Wallets.GetBalancesAsync(bob),
            b => b.Count == 1 && b[0].Available == 400, RecoveryTimeout, "bob credited");

        // The client's retry with the same key gets the answer and moves nothing more.
        var retry = await recovered.Wallets.TransferAsync(alice, bob, "ETH", 400, "t-crash");
        Assert.Equal("transfer/t-crash", retry.OperationId);
        Assert.Equal([new Balance("ETH", 600, 0)], await recovered.Wallets.GetBalancesAsync(alice));
        Assert.Equal([new Balance("ETH", 400, 0)], await recovered.Wallets.GetBalancesAsync(bob));
    }

    [Fact]
    public async Task An_acknowledged_transfer_replayed_after_its_silo_died_is_answered_as_a_replay()
    {
        // Found by the bank test: a wallet records a delivered transfer's answer lazily, with its
        // next write. If its silo dies before that write, the intent is still in storage and a
        // replay of the acknowledged transfer was answered Replayed = false (nothing moved twice).
        await using var cluster = await WalletCluster.StartAsync(silos: 1);
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        var channel = cluster.Channel(0);
        await channel.Wallets.CreditDepositAsync(alice, "ETH", 1_000, "0xreplay:" + alice);
        var first = await channel.Wallets.TransferAsync(alice, bob, "ETH", 300, "t-lazy");
        Assert.False(first.Replayed);

        await cluster.Silos[0].KillAsync();
        await cluster.RestartSiloAsync(0);
        var recovered = cluster.Channel(0);

        var replay = await recovered.Wallets.TransferAsync(alice, bob, "ETH", 300, "t-lazy");
        Assert.True(replay.Replayed);
        Assert.Equal(first.Balance, replay.Balance);
        Assert.True((await recovered.Wallets.TransferAsync(alice, bob, "ETH", 300, "t-lazy")).Replayed);
        Assert.Equal([new Balance("ETH", 700, 0)], await recovered.Wallets.GetBalancesAsync(alice));
        Assert.Equal([new Balance("ETH", 300, 0)], await recovered.Wallets.GetBalancesAsync(bob));
    }

    [Fact]
    public async Task A_fill_whose_silo_dies_midway_settles_exactly_once_after_restart()
    {
        await using var cluster = await WalletCluster.StartAsync(silos: 1,
            new Dictionary<string, string?> { ["FaultInjection__CrashAfterFillRecorded"] = "true" });
        var alice = Ids.User("alice");
        var channel = cluster.Channel(0);
        await channel.Wallets.CreditDepositAsync(alice, "ETH", 1_000, "0xfill:" + alice);
        var orderId = Ids.Key("o");
        await channel.Orders.PlaceAsync(orderId, alice, "ETH", 500, "USDC", 1_500);

        await Assert.ThrowsAnyAsync<WalletApiException>(() => channel.Orders.FillAsync(orderId, "f1", 200, 700));
        await cluster.Silos[0].WaitForExitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("fault injection: after fill recorded", cluster.Silos[0].Output);

        await cluster.RestartSiloAsync(0, NoFaults);
        var recovered = cluster.Channel(0);

        // Re-activating the order (any call) settles the recorded fill on the wallet.
        var order = await recovered.Orders.GetAsync(orderId);
        Assert.Equal(OrderState.PartiallyFilled, order.State);
        await Eventually.ReturnsAsync(() => recovered.Wallets.GetBalancesAsync(alice),
            b => b.Any(x => x.Asset == "USDC" && x.Available == 700), RecoveryTimeout, "fill settled");
        var retried = await recovered.Orders.FillAsync(orderId, "f1", 200, 700);
        Assert.Equal((BigInteger)200, retried.SoldAmount);
        Assert.Equal(
            [new Balance("ETH", 500, 300), new Balance("USDC", 700, 0)],
            await recovered.Wallets.GetBalancesAsync(alice));
    }
}
