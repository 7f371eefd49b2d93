using Grpc.Core;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>SubmitBatch: each operation answers as it would alone; a batch replays by its keys.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class BatchTests(ClusterFixture fixture)
{
    private readonly WalletChannel _channel = fixture.Cluster.Channel(0);

    [Fact]
    public async Task Each_operation_gets_its_own_result_and_a_replayed_batch_moves_no_money()
    {
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        var wallets = _channel.Wallets;
        WalletOperation[] batch =
        [
            new DepositOperation(alice, "ETH", 1_000, "0xbatch:" + alice),
            new DepositOperation(bob, "USDC", 50, "0xbatch:" + bob),
            new DepositOperation(alice, "DOGE", 1, "0xbatch-doge:" + alice),
            new TransferOperation(bob, alice, "USDC", 51, Ids.Key("t")),
        ];

        var first = await wallets.SubmitBatchAsync(batch);

        Assert.Equal(4, first.Count);
        Assert.True(first[0].Succeeded);
        Assert.Equal(new Balance("ETH", 1_000, 0), first[0].Outcome!.Balance);
        Assert.True(first[1].Succeeded);
        Assert.IsType<UnknownAssetException>(first[2].Error);
        // Ops in one batch run concurrently: bob's deposit may or may not have landed before his transfer.
        Assert.True(first[3].Error is InsufficientFundsException || first[3].Succeeded);

        // A replay of the first two, and the first deposit's key with another amount.
        var again = await wallets.SubmitBatchAsync([batch[0], batch[1], new DepositOperation(alice, "ETH", 7, "0xbatch:" + alice)]);
        Assert.All(again.Take(2), r => Assert.True(r.Outcome!.Replayed));
        Assert.IsType<IdempotencyConflictException>(again[2].Error);
        Assert.Equal(StatusCode.AlreadyExists, again[2].Status);
        var balances = await wallets.GetBalancesBatchAsync([alice, bob]);
        Assert.Equal(alice, balances[0].UserId);
        var aliceEth = Assert.Single(balances[0].Balances, b => b.Asset == "ETH");
        Assert.Equal(1_000, aliceEth.Available);
        var total = balances.SelectMany(w => w.Balances).Where(b => b.Asset == "USDC").Sum(b => (long)b.Available);
        Assert.Equal(50, total);
    }

    [Fact]
    public async Task An_empty_or_oversized_batch_is_refused_with_a_reason()
    {
        var empty = await Assert.ThrowsAsync<InvalidRequestException>(() => _channel.Wallets.SubmitBatchAsync([]));
        Assert.Equal("field_malformed", empty.Reason);
        var tooMany = Enumerable.Range(0, 1_001)
            .Select(i => (WalletOperation)new DepositOperation("u", "ETH", 1, "tx" + i)).ToList();
        var oversized = await Assert.ThrowsAsync<InvalidRequestException>(() => _channel.Wallets.SubmitBatchAsync(tooMany));
        Assert.Contains("1000", oversized.Message);
    }
}
