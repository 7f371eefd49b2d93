using System.Numerics;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using OrleansWallet.Api.V1;
using OrleansWallet.Client;
using StackExchange.Redis;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// A cluster whose silos let a test fail chosen state writes and pending-work index entries (the
/// fault points sit in front of the real Redis storage and indexes), to check the rule that a
/// change becomes a grain's state only once its write succeeded, and nothing leaves the grain before.
/// </summary>
public sealed class FaultCluster : IAsyncLifetime
{
    public WalletCluster Cluster { get; private set; } = null!;
    public WalletChannel Channel { get; private set; } = null!;
    private ConnectionMultiplexer _redis = null!;
    private Grpc.Core.CallInvoker _raw = null!;

    public async Task InitializeAsync()
    {
        Cluster = await WalletCluster.StartAsync(silos: 2, new Dictionary<string, string?>
        {
            ["FaultInjection__StorageFaults"] = "true",
            ["Ledger__Resilience__Postgres__BreakDuration"] = "00:00:02",
        });
        Channel = Cluster.Channel(0);
        _redis = await ConnectionMultiplexer.ConnectAsync(Cluster.Redis.Endpoint);
        _raw = Cluster.RawInvoker(0);
    }

    /// <summary>The gRPC API with no retries, so a test sees the first answer the silo gives.</summary>
    public WalletService.WalletServiceClient RawWallets => new(_raw);

    public OrderService.OrderServiceClient RawOrders => new(_raw);

    /// <summary>The next <paramref name="count"/> state writes of the grain fail.</summary>
    public Task FailWritesAsync(string grainType, string key, int count = 1) =>
        FaultPoints.FailAsync(_redis.GetDatabase(), "write", grainType, key, count);

    /// <summary>The next <paramref name="count"/> times the wallet enters the pending-transfer index fail.</summary>
    public Task FailPendingTransferIndexAsync(string userId, int count = 1) =>
        FaultPoints.FailAsync(_redis.GetDatabase(), "pending-transfer-index", "wallet", userId, count);

    /// <summary>Whether the wallet is in any shard of the pending-transfer index.</summary>
    public async Task<bool> IsInPendingTransferIndexAsync(string userId) =>
        (await PendingWorkIndexProbe.MembersAsync(_redis.GetDatabase(), PendingWorkIndexProbe.Transfers)).Contains(userId);

    /// <summary>The next <paramref name="count"/> times the order enters the pending-order index fail.</summary>
    public Task FailPendingOrderIndexAsync(string orderId, int count = 1) =>
        FaultPoints.FailAsync(_redis.GetDatabase(), "pending-order-index", "order", orderId, count);

    public async Task<NpgsqlConnection> OpenLedgerDatabaseAsync()
    {
        var connection = new NpgsqlConnection(Cluster.LedgerConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class FaultClusterCollection : ICollectionFixture<FaultCluster>
{
    public const string Name = "fault-injecting cluster";
}

/// <summary>
/// Regressions for the holes a review of the write paths found (issue 8, items 1–9): each test
/// drives the public API into the interleaving and checks what a user would: balances, replies,
/// the journal and reconcile.
/// </summary>
[Collection(FaultClusterCollection.Name)]
public sealed class MoneySafetyTests(FaultCluster faults)
{
    private static readonly BigInteger Max = BigInteger.Pow(2, 256) - 1;
    private readonly WalletChannel _channel = faults.Channel;

    [Fact]
    public async Task A_failed_write_is_refused_not_remembered_and_the_retry_applies_it_once()
    {
        var alice = Ids.User("alice");
        await _channel.Wallets.CreditDepositAsync(alice, "ETH", 100, "0xd0:" + alice);

        await faults.FailWritesAsync("wallet", alice);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await faults.RawWallets.CreditDepositAsync(Deposit(alice, 5, "0xd1:" + alice)));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal("storage_unavailable", refused.Trailers.GetValue("error-reason"));
        Assert.Equal([new Balance("ETH", 100, 0)], await _channel.Wallets.GetBalancesAsync(alice));

        // The same key again: applied now (not "replayed" from memory that storage never held).
        var retry = await faults.RawWallets.CreditDepositAsync(Deposit(alice, 5, "0xd1:" + alice));
        Assert.False(retry.Replayed);
        Assert.True((await faults.RawWallets.CreditDepositAsync(Deposit(alice, 5, "0xd1:" + alice))).Replayed);
        Assert.Equal([new Balance("ETH", 105, 0)], await _channel.Wallets.GetBalancesAsync(alice));
        await AssertJournalAsync(alice, $"{alice}/deposit/0xd1:{alice}", expectedEntries: 2);
    }

    [Fact]
    public async Task Reads_during_a_write_that_fails_never_see_its_change()
    {
        var alice = Ids.User("alice");
        await _channel.Wallets.CreditDepositAsync(alice, "ETH", 100, "0xv0:" + alice);
        for (var round = 0; round < 5; round++)
        {
            await faults.FailWritesAsync("wallet", alice);
            var deposit = Assert.ThrowsAsync<RpcException>(async () =>
                await faults.RawWallets.CreditDepositAsync(Deposit(alice, 5, $"0xv{round + 1}:{alice}")));
            // Reads keep arriving while the doomed write is in flight (the grain is reentrant).
            var reads = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
                await faults.RawWallets.GetBalancesAsync(new GetBalancesRequest { UserId = alice })));
            await deposit;
            Assert.All(reads, r => Assert.Equal("100", Assert.Single(r.Balances).Available));
        }
    }

    [Fact]
    public async Task The_sdk_retry_after_a_failed_write_gets_the_first_real_answer()
    {
        var alice = Ids.User("alice");
        await _channel.Wallets.CreditDepositAsync(alice, "ETH", 100, "0xs0:" + alice);
        await faults.FailWritesAsync("wallet", alice);

        // The SDK retries Unavailable with the same key: the second attempt is the one that applies.
        var outcome = await _channel.Wallets.CreditDepositAsync(alice, "ETH", 7, "0xs1:" + alice);
        Assert.False(outcome.Replayed);
        Assert.Equal(new Balance("ETH", 107, 0), outcome.Balance);
    }

    [Fact]
    public async Task A_transfer_whose_pending_index_entry_cannot_be_written_debits_nothing()
    {
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        await _channel.Wallets.CreditDepositAsync(alice, "USDC", 1_000, "0xr0:" + alice);
        await faults.FailPendingTransferIndexAsync(alice);

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await faults.RawWallets.TransferAsync(Transfer(alice, bob, 300, "t-rem")));
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("could not be written", refused.Status.Detail);
        Assert.Equal([new Balance("USDC", 1_000, 0)], await _channel.Wallets.GetBalancesAsync(alice));
        Assert.Empty(await _channel.Wallets.GetBalancesAsync(bob));
        Assert.False(await faults.IsInPendingTransferIndexAsync(alice));

        var retry = await faults.RawWallets.TransferAsync(Transfer(alice, bob, 300, "t-rem"));
        Assert.False(retry.Replayed);
        Assert.True(await faults.IsInPendingTransferIndexAsync(alice));
        Assert.Equal([new Balance("USDC", 700, 0)], await _channel.Wallets.GetBalancesAsync(alice));
        Assert.Equal([new Balance("USDC", 300, 0)], await _channel.Wallets.GetBalancesAsync(bob));
    }

    [Fact]
    public async Task A_failed_write_sends_nothing_to_the_journal_so_its_key_can_carry_another_request()
    {
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        await _channel.Wallets.CreditDepositAsync(alice, "ETH", 1_000, "0xj0:" + alice);
        await faults.FailWritesAsync("wallet", alice);
        await Assert.ThrowsAsync<RpcException>(async () => await faults.RawWallets.TransferAsync(Transfer(alice, bob, 100, "t-j", "ETH")));

        // The refused request never happened, so the key is free for a different one.
        var other = await faults.RawWallets.TransferAsync(Transfer(alice, bob, 250, "t-j", "ETH"));
        Assert.False(other.Replayed);
        await Journaled.WaitAsync(_channel, alice, bob);
        await AssertJournalAsync(alice, $"{alice}/transfer/t-j", expectedEntries: 2, expectedAvailable: -250);
        var report = await _channel.Ledger.ReconcileAsync();
        Assert.DoesNotContain(report.Differences, d => d.UserId == alice || d.UserId == bob);
        Assert.DoesNotContain(report.Unchecked, u => u.UserId == alice || u.UserId == bob);
    }

    [Fact]
    public async Task A_payer_whose_next_write_fails_after_the_credit_landed_creates_no_money()
    {
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        await _channel.Wallets.CreditDepositAsync(alice, "ETH", 1_000, "0xp0:" + alice);
        await _channel.Wallets.TransferAsync(alice, bob, "ETH", 400, "t-p");

        // The payer's next write (which also records the transfer as done) fails.
        await faults.FailWritesAsync("wallet", alice);
        await Assert.ThrowsAsync<RpcException>(async () => await faults.RawWallets.CreditDepositAsync(Deposit(alice, 1, "0xp1:" + alice)));
        Assert.True((await _channel.Wallets.TransferAsync(alice, bob, "ETH", 400, "t-p")).Replayed);

        await Journaled.WaitAsync(_channel, alice, bob);
        Assert.Equal([new Balance("ETH", 600, 0)], await _channel.Wallets.GetBalancesAsync(alice));
        Assert.Equal([new Balance("ETH", 400, 0)], await _channel.Wallets.GetBalancesAsync(bob));
        var report = await _channel.Ledger.ReconcileAsync();
        Assert.DoesNotContain(report.Differences, d => d.UserId == alice || d.UserId == bob);
    }

    [Fact]
    public async Task Ids_with_colons_cannot_make_two_transfers_or_two_fills_one()
    {
        var prefix = Ids.User("c");
        var payee = prefix + "p";
        // User "x" paying with key "b:c" and user "x:b" paying with key "c".
        var x = prefix + "x";
        var xb = prefix + "x:b";
        await _channel.Wallets.CreditDepositAsync(x, "ETH", 10, "0xc1:" + prefix);
        await _channel.Wallets.CreditDepositAsync(xb, "ETH", 10, "0xc2:" + prefix);
        Assert.False((await _channel.Wallets.TransferAsync(x, payee, "ETH", 3, "b:c")).Replayed);
        Assert.False((await _channel.Wallets.TransferAsync(xb, payee, "ETH", 4, "c")).Replayed);
        Assert.Equal([new Balance("ETH", 7, 0)], await _channel.Wallets.GetBalancesAsync(payee));

        // Order "o:1" fill "f" and order "o" fill "1:f".
        var seller = prefix + "s";
        await _channel.Wallets.CreditDepositAsync(seller, "ETH", 100, "0xc3:" + prefix);
        await _channel.Orders.PlaceAsync(prefix + "o:1", seller, "ETH", 10, "USDC", 10);
        await _channel.Orders.PlaceAsync(prefix + "o", seller, "ETH", 10, "USDC", 10);
        await _channel.Orders.FillAsync(prefix + "o:1", "f", 2, 20);
        await _channel.Orders.FillAsync(prefix + "o", "1:f", 3, 30);
        Assert.Equal([new Balance("ETH", 80, 15), new Balance("USDC", 50, 0)], await _channel.Wallets.GetBalancesAsync(seller));
    }

    [Fact]
    public async Task Crediting_past_2_pow_256_is_refused_before_anything_changes_and_the_order_still_cancels()
    {
        var alice = Ids.User("alice");
        await _channel.Wallets.CreditDepositAsync(alice, "ETH", Max - 10, "0xo1:" + alice);
        var order = await _channel.Orders.PlaceAsync(Ids.Key("o"), alice, "ETH", 5, "USDC", 1);
        Assert.Equal(OrderState.Placed, order.State);

        var refused = await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            _channel.Wallets.CreditDepositAsync(alice, "ETH", 11, "0xo2:" + alice));
        Assert.Equal("balance_overflow", refused.Reason);
        Assert.Equal([new Balance("ETH", Max - 15, 5)], await _channel.Wallets.GetBalancesAsync(alice));

        var cancelled = await _channel.Orders.CancelAsync(order.OrderId);
        Assert.Equal(OrderState.Cancelled, cancelled.State);
        Assert.Equal([new Balance("ETH", Max - 10, 0)], await _channel.Wallets.GetBalancesAsync(alice));
    }

    [Fact]
    public async Task A_fill_the_wallet_cannot_take_is_undone_on_the_order_and_moves_nothing()
    {
        var alice = Ids.User("alice");
        await _channel.Wallets.CreditDepositAsync(alice, "ETH", 100, "0xf1:" + alice);
        await _channel.Wallets.CreditDepositAsync(alice, "USDC", Max - 1, "0xf2:" + alice);
        var order = await _channel.Orders.PlaceAsync(Ids.Key("o"), alice, "ETH", 10, "USDC", 1);

        var refused = await Assert.ThrowsAsync<PreconditionFailedException>(() => _channel.Orders.FillAsync(order.OrderId, "f1", 5, 2));
        Assert.Equal("balance_overflow", refused.Reason);
        var after = await _channel.Orders.GetAsync(order.OrderId);
        Assert.Equal((OrderState.Placed, BigInteger.Zero, BigInteger.Zero), (after.State, after.SoldAmount, after.BoughtAmount));
        Assert.Equal([new Balance("ETH", 90, 10), new Balance("USDC", Max - 1, 0)], await _channel.Wallets.GetBalancesAsync(alice));
        // A retry of the same fill is refused alike; a fill that fits still works; cancel releases the rest.
        await Assert.ThrowsAsync<PreconditionFailedException>(() => _channel.Orders.FillAsync(order.OrderId, "f1", 5, 2));
        await _channel.Orders.FillAsync(order.OrderId, "f2", 4, 1);
        await _channel.Orders.CancelAsync(order.OrderId);
        Assert.Equal([new Balance("ETH", 96, 0), new Balance("USDC", Max, 0)], await _channel.Wallets.GetBalancesAsync(alice));
    }

    [Fact]
    public async Task A_chain_deposit_is_credited_to_one_wallet_only()
    {
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        var tx = "0xshared:" + alice;
        await _channel.Wallets.CreditDepositAsync(alice, "ETH", 50, tx);

        var refused = await Assert.ThrowsAsync<IdempotencyConflictException>(() => _channel.Wallets.CreditDepositAsync(bob, "ETH", 50, tx));
        Assert.Contains("another wallet", refused.Message);
        Assert.Empty(await _channel.Wallets.GetBalancesAsync(bob));
        Assert.True((await _channel.Wallets.CreditDepositAsync(alice, "ETH", 50, tx)).Replayed);
        // The same tx id on another chain is another transaction.
        Assert.False((await _channel.Wallets.CreditDepositAsync(bob, "BTC", 50, tx)).Replayed);
    }

    [Fact]
    public async Task A_transfer_the_payee_can_never_take_is_refunded_and_stays_refused()
    {
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        await _channel.Wallets.CreditDepositAsync(alice, "ETH", 100, "0xt1:" + alice);
        await _channel.Wallets.CreditDepositAsync(bob, "ETH", Max, "0xt2:" + bob);

        var refused = await Assert.ThrowsAsync<PreconditionFailedException>(() => _channel.Wallets.TransferAsync(alice, bob, "ETH", 1, "t-full"));
        Assert.Equal("transfer_refused", refused.Reason);
        Assert.Contains("balance_overflow", refused.Message);
        Assert.Equal([new Balance("ETH", 100, 0)], await _channel.Wallets.GetBalancesAsync(alice));
        Assert.Equal([new Balance("ETH", Max, 0)], await _channel.Wallets.GetBalancesAsync(bob));
        var again = await Assert.ThrowsAsync<PreconditionFailedException>(() => _channel.Wallets.TransferAsync(alice, bob, "ETH", 1, "t-full"));
        Assert.Equal("transfer_refused", again.Reason);

        await Journaled.WaitAsync(_channel, alice, bob);
        Assert.Equal(0, (await _channel.Ledger.GetStatusAsync(alice)).PendingTransfers);
        await using var ledger = await faults.OpenLedgerDatabaseAsync();
        await using var transit = new NpgsqlCommand(
            "SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE user_id = @user AND bucket = 'transit'", ledger);
        transit.Parameters.AddWithValue("user", alice);
        Assert.Equal(0m, (decimal)(await transit.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task An_order_change_whose_write_fails_is_not_reported_and_a_retry_makes_it()
    {
        var alice = Ids.User("alice");
        await _channel.Wallets.CreditDepositAsync(alice, "ETH", 100, "0xoc:" + alice);
        var orderId = Ids.Key("o");
        await _channel.Orders.PlaceAsync(orderId, alice, "ETH", 40, "USDC", 40);

        await faults.FailWritesAsync("order", orderId);
        var cancel = await Assert.ThrowsAsync<RpcException>(async () =>
            await faults.RawOrders.CancelOrderAsync(new CancelOrderRequest { OrderId = orderId }));
        Assert.Equal(StatusCode.Unavailable, cancel.StatusCode);
        // Not cancelled: it can still be filled, and its funds are still held.
        Assert.Equal(OrderState.Placed, (await _channel.Orders.GetAsync(orderId)).State);
        await _channel.Orders.FillAsync(orderId, "f1", 10, 10);

        await faults.FailWritesAsync("order", orderId);
        await Assert.ThrowsAsync<RpcException>(async () =>
            await faults.RawOrders.FillOrderAsync(new FillOrderRequest { OrderId = orderId, FillId = "f2", SoldAmount = "10", BoughtAmount = "10" }));
        Assert.Equal((BigInteger)10, (await _channel.Orders.GetAsync(orderId)).SoldAmount);

        var cancelled = await _channel.Orders.CancelAsync(orderId);
        Assert.Equal((OrderState.Cancelled, (BigInteger)10), (cancelled.State, cancelled.SoldAmount));
        Assert.Equal([new Balance("ETH", 90, 0), new Balance("USDC", 10, 0)], await _channel.Wallets.GetBalancesAsync(alice));
    }

    [Fact]
    public async Task An_order_whose_pending_index_entry_cannot_be_written_is_not_placed()
    {
        var alice = Ids.User("alice");
        await _channel.Wallets.CreditDepositAsync(alice, "ETH", 100, "0xor:" + alice);
        var orderId = Ids.Key("o");
        await faults.FailPendingOrderIndexAsync(orderId);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await faults.RawOrders.PlaceOrderAsync(new PlaceOrderRequest
        {
            OrderId = orderId, UserId = alice, SellAsset = "ETH", SellAmount = "30", BuyAsset = "USDC", MinBuyAmount = "30",
        }));
        Assert.Equal((StatusCode.Unavailable, "storage_unavailable"), (refused.StatusCode, refused.Trailers.GetValue("error-reason")));
        await Assert.ThrowsAsync<NotFoundException>(() => _channel.Orders.GetAsync(orderId));
        Assert.Equal([new Balance("ETH", 100, 0)], await _channel.Wallets.GetBalancesAsync(alice));

        Assert.Equal(OrderState.Placed, (await _channel.Orders.PlaceAsync(orderId, alice, "ETH", 30, "USDC", 30)).State);
        Assert.Equal([new Balance("ETH", 70, 30)], await _channel.Wallets.GetBalancesAsync(alice));
    }

    [Fact]
    public async Task Reconcile_reports_a_wallet_the_journal_refuses_and_checks_the_others()
    {
        var poisoned = Ids.User("poisoned");
        var healthy = Ids.User("healthy");
        await using var ledger = await faults.OpenLedgerDatabaseAsync();
        await Execute(ledger, $"""
            CREATE FUNCTION refuse_{poisoned.Replace('-', '_')}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.user_id = '{poisoned}' THEN RAISE EXCEPTION 'test: entries of {poisoned} refused'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_{poisoned.Replace('-', '_')} BEFORE INSERT ON ledger_entries
                FOR EACH ROW EXECUTE FUNCTION refuse_{poisoned.Replace('-', '_')}();
            """);
        try
        {
            await Task.WhenAll(
                _channel.Wallets.CreditDepositAsync(poisoned, "ETH", 10, "0xq1:" + poisoned),
                _channel.Wallets.CreditDepositAsync(healthy, "ETH", 20, "0xq2:" + healthy));
            await Journaled.WaitAsync(_channel, healthy);
            var status = await Eventually.ReturnsAsync(() => _channel.Ledger.GetStatusAsync(poisoned),
                s => s.Rejection is not null, TimeSpan.FromSeconds(30), "the journal refused the poisoned wallet");
            Assert.Contains("refused", status.Rejection);

            var report = await _channel.Ledger.ReconcileAsync();
            var unchecked_ = Assert.Single(report.Unchecked, u => u.UserId == poisoned);
            Assert.Contains("refused", unchecked_.Reason);
            Assert.DoesNotContain(report.Differences, d => d.UserId == poisoned || d.UserId == healthy);
            Assert.True(report.HasDrift);
            Assert.True(report.WalletsChecked >= 2);
        }
        finally
        {
            await Execute(ledger, $"DROP TRIGGER refuse_{poisoned.Replace('-', '_')} ON ledger_entries");
        }
        // Fixed by the operator: the next reconcile's flush writes the refused entries.
        var fixedReport = await _channel.Ledger.ReconcileAsync();
        Assert.DoesNotContain(fixedReport.Unchecked, u => u.UserId == poisoned);
        Assert.DoesNotContain(fixedReport.Differences, d => d.UserId == poisoned);
        await AssertJournalAsync(poisoned, $"{poisoned}/deposit/0xq1:{poisoned}", expectedEntries: 2);
    }

    private async Task AssertJournalAsync(string user, string operationId, int expectedEntries, BigInteger? expectedAvailable = null)
    {
        await Journaled.WaitAsync(_channel, user);
        await using var ledger = await faults.OpenLedgerDatabaseAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*), coalesce(sum(amount) FILTER (WHERE bucket = 'available' AND user_id = @user), 0) " +
            "FROM ledger_entries WHERE operation_id = @op", ledger);
        command.Parameters.AddWithValue("user", user);
        command.Parameters.AddWithValue("op", operationId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(expectedEntries, reader.GetInt64(0));
        if (expectedAvailable is { } available) Assert.Equal(available, reader.GetFieldValue<BigInteger>(1));
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static CreditDepositRequest Deposit(string user, long amount, string txId) =>
        new() { UserId = user, Asset = "ETH", Amount = amount.ToString(), TxId = txId };

    private static TransferRequest Transfer(string from, string to, long amount, string key, string asset = "USDC") =>
        new() { FromUserId = from, ToUserId = to, Asset = asset, Amount = amount.ToString(), IdempotencyKey = key };
}
