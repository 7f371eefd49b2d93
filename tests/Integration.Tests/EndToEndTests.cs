using System.Numerics;
using Grpc.Core;
using OrleansWallet.Api.V1;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>The SDK against running silos over HTTP/2: every operation, and every kind of refusal.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class EndToEndTests(ClusterFixture fixture)
{
    private readonly WalletChannel _first = fixture.Cluster.Channel(0);
    private readonly WalletChannel _second = fixture.Cluster.Channel(1);

    [Fact]
    public async Task Every_wallet_operation_works_and_is_visible_from_every_silo()
    {
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        var wallets = _first.Wallets;

        await WithdrawalSetup.AllowWithdrawalsAsync(_first, alice);
        var deposit = await wallets.CreditDepositAsync(alice, "ETH", 1_000, "0xe2e:" + alice);
        Assert.Equal(new Balance("ETH", 1_000, 0), deposit.Balance);

        var withdrawal = await wallets.RequestWithdrawalAsync(alice, "w1", "ETH", 300, "0x52908400098527886E0F7030069857D2E4169EE7");
        Assert.Equal(new Balance("ETH", 700, 300), withdrawal.Balance);
        Assert.Equal(new Balance("ETH", 700, 0), (await wallets.CompleteWithdrawalAsync(alice, "w1")).Balance);

        await wallets.RequestWithdrawalAsync(alice, "w2", "ETH", 100, "0x52908400098527886E0F7030069857D2E4169EE7");
        Assert.Equal(new Balance("ETH", 700, 0), (await wallets.FailWithdrawalAsync(alice, "w2")).Balance);

        var transfer = await wallets.TransferAsync(alice, bob, "ETH", 250, Ids.Key("t"));
        Assert.Equal(new Balance("ETH", 450, 0), transfer.Balance);

        // The other silo sees the same state: grains are single-activation cluster-wide.
        Assert.Equal([new Balance("ETH", 450, 0)], await _second.Wallets.GetBalancesAsync(alice));
        Assert.Equal([new Balance("ETH", 250, 0)], await _second.Wallets.GetBalancesAsync(bob));

        var assets = await wallets.ListAssetsAsync();
        Assert.Contains(new AssetDescription("ETH", "ethereum", 18), assets);
    }

    [Fact]
    public async Task Orders_hold_settle_and_release_funds()
    {
        var alice = Ids.User("alice");
        await _first.Wallets.CreditDepositAsync(alice, "ETH", 10_000, "0xord:" + alice);
        var orderId = Ids.Key("o");

        var placed = await _first.Orders.PlaceAsync(orderId, alice, "ETH", 4_000, "USDC", 12_000);
        Assert.Equal(OrderState.Placed, placed.State);
        Assert.Equal([new Balance("ETH", 6_000, 4_000)], await _first.Wallets.GetBalancesAsync(alice));

        var partial = await _second.Orders.FillAsync(orderId, "f1", 1_000, 3_100);
        Assert.Equal(OrderState.PartiallyFilled, partial.State);
        Assert.Equal((BigInteger)1_000, partial.SoldAmount);

        var cancelled = await _first.Orders.CancelAsync(orderId);
        Assert.Equal(OrderState.Cancelled, cancelled.State);
        Assert.Equal(
            [new Balance("ETH", 9_000, 0), new Balance("USDC", 3_100, 0)],
            await _first.Wallets.GetBalancesAsync(alice));

        var got = await _second.Orders.GetAsync(orderId);
        Assert.Equal(cancelled with { UpdatedAt = got.UpdatedAt }, got);

        var second = Ids.Key("o");
        var filled = await _first.Orders.PlaceAsync(second, alice, "ETH", 2_000, "USDC", 6_000);
        filled = await _first.Orders.FillAsync(second, "f1", 2_000, 6_000);
        Assert.Equal(OrderState.Filled, filled.State);

        var unfunded = await _first.Orders.PlaceAsync(Ids.Key("o"), alice, "BTC", 1, "ETH", 1);
        Assert.Equal(OrderState.Rejected, unfunded.State);
        Assert.Equal("insufficient_funds", unfunded.RejectReason);

        var page = await _second.Orders.ListAsync(alice, pageSize: 2);
        Assert.Equal([orderId, second], page.Orders.Select(o => o.OrderId));
        Assert.NotNull(page.NextPageToken);
        var rest = await _second.Orders.ListAsync(alice, pageSize: 2, page.NextPageToken);
        Assert.Equal([unfunded.OrderId], rest.Orders.Select(o => o.OrderId));
        Assert.Null(rest.NextPageToken);
    }

    [Fact]
    public async Task Domain_refusals_have_their_status_and_reason_and_change_nothing()
    {
        var alice = Ids.User("alice");
        var orders = _first.Orders;
        await _first.Wallets.CreditDepositAsync(alice, "USDC", 500, "0xref:" + alice);
        var orderId = Ids.Key("o");
        await orders.PlaceAsync(orderId, alice, "USDC", 100, "ETH", 10);

        await Assert.ThrowsAsync<InsufficientFundsException>(() =>
            _first.Wallets.TransferAsync(alice, Ids.User("bob"), "USDC", 401, Ids.Key("t")));
        var overfill = await Assert.ThrowsAsync<PreconditionFailedException>(() => orders.FillAsync(orderId, "f1", 101, 20));
        Assert.Equal("order_overfill", overfill.Reason);
        var belowLimit = await Assert.ThrowsAsync<PreconditionFailedException>(() => orders.FillAsync(orderId, "f1", 50, 4));
        Assert.Equal("order_fill_below_limit", belowLimit.Reason);
        var missing = await Assert.ThrowsAsync<NotFoundException>(() => orders.GetAsync(Ids.Key("missing")));
        Assert.Equal("order_not_found", missing.Reason);
        await Assert.ThrowsAsync<NotFoundException>(() => _first.Wallets.CompleteWithdrawalAsync(alice, "never"));
        await Assert.ThrowsAsync<IdempotencyConflictException>(() => orders.PlaceAsync(orderId, alice, "USDC", 99, "ETH", 10));

        Assert.Equal([new Balance("USDC", 400, 100)], await _first.Wallets.GetBalancesAsync(alice));
        Assert.Equal(OrderState.Placed, (await orders.GetAsync(orderId)).State);
    }

    public static TheoryData<string, string, string, string> BadDeposits => new()
    {
        // amount, asset, tx id, expected reason
        { "1.5", "ETH", "tx", "amount_malformed" },
        { "-5", "ETH", "tx", "amount_malformed" },
        { "1e18", "ETH", "tx", "amount_malformed" },
        { " 5", "ETH", "tx", "amount_malformed" },
        { "0x10", "ETH", "tx", "amount_malformed" },
        { "", "ETH", "tx", "amount_missing" },
        { "0", "ETH", "tx", "amount_zero" },
        { "115792089237316195423570985008687907853269984665640564039457584007913129639936", "ETH", "tx", "amount_too_large" },
        { "5", "DOGE", "tx", "asset_unknown" },
        { "5", "", "tx", "asset_unknown" },
        { "5", "ETH", "", "idempotency_key_missing" },
        { "5", "ETH", "tx with spaces", "idempotency_key_malformed" },
    };

    [Theory]
    [MemberData(nameof(BadDeposits))]
    public async Task Bad_input_is_InvalidArgument_with_a_reason_and_changes_nothing(string amount, string asset, string txId, string reason)
    {
        var user = Ids.User("bad");
        await _first.Wallets.CreditDepositAsync(user, "ETH", 7, "0xseed:" + user);
        var raw = new WalletService.WalletServiceClient(fixture.Cluster.RawInvoker(0));

        var uniqueTx = txId == "tx" ? "0xbad:" + Guid.NewGuid().ToString("N") : txId;
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await raw.CreditDepositAsync(new CreditDepositRequest { UserId = user, Asset = asset, Amount = amount, TxId = uniqueTx }));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(reason, ex.Trailers.GetValue("error-reason"));
        Assert.False(string.IsNullOrWhiteSpace(ex.Status.Detail));
        Assert.Equal([new Balance("ETH", 7, 0)], await _first.Wallets.GetBalancesAsync(user));
    }

    [Fact]
    public async Task Bad_input_on_every_mutation_is_refused()
    {
        var user = Ids.User("bad");
        await _first.Wallets.CreditDepositAsync(user, "ETH", 7, "0xseed:" + user);
        var invoker = fixture.Cluster.RawInvoker(1);
        var wallets = new WalletService.WalletServiceClient(invoker);
        var orders = new OrderService.OrderServiceClient(invoker);

        var calls = new (string Name, Func<Task> Call)[]
        {
            ("withdraw negative", async () => await wallets.RequestWithdrawalAsync(new() { UserId = user, WithdrawalId = "w", Asset = "ETH", Amount = "-1", Address = "0xabc" })),
            ("withdraw no key", async () => await wallets.RequestWithdrawalAsync(new() { UserId = user, Asset = "ETH", Amount = "1", Address = "0xabc" })),
            ("withdraw no address", async () => await wallets.RequestWithdrawalAsync(new() { UserId = user, WithdrawalId = "w", Asset = "ETH", Amount = "1" })),
            ("transfer decimal", async () => await wallets.TransferAsync(new() { FromUserId = user, ToUserId = "bob", Asset = "ETH", Amount = "0.5", IdempotencyKey = "k" })),
            ("transfer no key", async () => await wallets.TransferAsync(new() { FromUserId = user, ToUserId = "bob", Asset = "ETH", Amount = "1" })),
            ("transfer to self", async () => await wallets.TransferAsync(new() { FromUserId = user, ToUserId = user, Asset = "ETH", Amount = "1", IdempotencyKey = "k" })),
            ("transfer no payee", async () => await wallets.TransferAsync(new() { FromUserId = user, Asset = "ETH", Amount = "1", IdempotencyKey = "k" })),
            ("balances no user", async () => await wallets.GetBalancesAsync(new() { UserId = "" })),
            ("place unknown asset", async () => await orders.PlaceOrderAsync(new() { OrderId = "o-" + user, UserId = user, SellAsset = "ETH", SellAmount = "1", BuyAsset = "XYZ", MinBuyAmount = "1" })),
            ("place same assets", async () => await orders.PlaceOrderAsync(new() { OrderId = "o-" + user, UserId = user, SellAsset = "ETH", SellAmount = "1", BuyAsset = "ETH", MinBuyAmount = "1" })),
            ("place bad limit", async () => await orders.PlaceOrderAsync(new() { OrderId = "o-" + user, UserId = user, SellAsset = "ETH", SellAmount = "1", BuyAsset = "USDC", MinBuyAmount = "abc" })),
            ("fill no id", async () => await orders.FillOrderAsync(new() { OrderId = "o-" + user, SoldAmount = "1", BoughtAmount = "1" })),
            ("list bad page size", async () => await orders.ListOrdersAsync(new() { UserId = user, PageSize = 100_000 })),
        };
        foreach (var (name, call) in calls)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(call);
            Assert.True(ex.StatusCode == StatusCode.InvalidArgument, $"{name}: {ex.StatusCode} {ex.Status.Detail}");
            Assert.NotNull(ex.Trailers.GetValue("error-reason"));
        }
        Assert.Equal([new Balance("ETH", 7, 0)], await _first.Wallets.GetBalancesAsync(user));
        await Assert.ThrowsAsync<NotFoundException>(() => _first.Orders.GetAsync("o-" + user));
    }

    [Fact]
    public async Task The_sdk_maps_a_negative_amount_to_InvalidAmountException()
    {
        var user = Ids.User("neg");
        var ex = await Assert.ThrowsAsync<InvalidAmountException>(() =>
            _first.Wallets.CreditDepositAsync(user, "ETH", -5, "0xneg:" + user));
        Assert.Equal("amount_malformed", ex.Reason);
        Assert.Empty(await _first.Wallets.GetBalancesAsync(user));
    }
}
