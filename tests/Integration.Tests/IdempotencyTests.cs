using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>Replaying any mutation with its key returns the first answer and moves no money.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class IdempotencyTests(ClusterFixture fixture)
{
    private readonly WalletChannel _channel = fixture.Cluster.Channel(0);
    private readonly WalletChannel _other = fixture.Cluster.Channel(1);

    [Fact]
    public async Task Replayed_keys_move_no_money()
    {
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        var wallets = _channel.Wallets;
        var transferKey = Ids.Key("t");
        var orderId = Ids.Key("o");

        // Each operation twice: once through each silo.
        async Task Twice(Func<WalletChannel, Task> operation)
        {
            await operation(_channel);
            await operation(_other);
        }

        await WithdrawalSetup.AllowWithdrawalsAsync(_channel, alice);
        await Twice(c => c.Wallets.CreditDepositAsync(alice, "ETH", 1_000, "0xidem:" + alice));
        await Twice(c => c.Wallets.RequestWithdrawalAsync(alice, "w1", "ETH", 100, "0x52908400098527886E0F7030069857D2E4169EE7"));
        await Twice(c => c.Wallets.CompleteWithdrawalAsync(alice, "w1"));
        await Twice(c => c.Wallets.TransferAsync(alice, bob, "ETH", 200, transferKey));
        await Twice(c => c.Orders.PlaceAsync(orderId, alice, "ETH", 300, "USDC", 900));
        await Twice(c => c.Orders.FillAsync(orderId, "f1", 100, 300));
        await Twice(c => c.Orders.CancelAsync(orderId));

        var replay = await wallets.TransferAsync(alice, bob, "ETH", 200, transferKey);
        Assert.True(replay.Replayed);

        Assert.Equal([new Balance("ETH", 600, 0), new Balance("USDC", 300, 0)], await wallets.GetBalancesAsync(alice));
        Assert.Equal([new Balance("ETH", 200, 0)], await wallets.GetBalancesAsync(bob));
    }

    [Fact]
    public async Task A_key_reused_for_another_request_is_AlreadyExists_and_changes_nothing()
    {
        var alice = Ids.User("alice");
        var wallets = _channel.Wallets;
        await wallets.CreditDepositAsync(alice, "ETH", 1_000, "0xconf:" + alice);
        var key = Ids.Key("t");
        await wallets.TransferAsync(alice, "bob-" + alice, "ETH", 10, key);

        await Assert.ThrowsAsync<IdempotencyConflictException>(() => wallets.CreditDepositAsync(alice, "ETH", 999, "0xconf:" + alice));
        await Assert.ThrowsAsync<IdempotencyConflictException>(() => wallets.TransferAsync(alice, "bob-" + alice, "ETH", 11, key));
        Assert.Equal([new Balance("ETH", 990, 0)], await wallets.GetBalancesAsync(alice));
    }
}
