using Grpc.Core;
using OrleansWallet.Api.Ledger.V1;
using OrleansWallet.Api.V1;
using Xunit.Abstractions;
using LedgerApi = OrleansWallet.Api.Ledger.V1.LedgerService;

namespace OrleansWallet.Integration.Tests.Security;

/// <summary>
/// Every gRPC method (and every kind of batch operation) × every kind of caller, against the
/// real silo: the exact status of each cell, and for each refused cell that nothing changed.
/// The target wallet is always bob's; "user (own)" holds a token for bob, "user (other)" one for alice.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class AuthorizationMatrixTests(SecurityFixture fixture, ITestOutputHelper output)
{
    public enum Principal { Anonymous, UserOwn, UserOther, Operator, Admin, ServiceKey, Roleless }

    public enum Method
    {
        GetBalances, GetBalancesBatch, ListAssets, CreditDeposit, RequestWithdrawal, CompleteWithdrawal, FailWithdrawal, Transfer,
        BatchDeposit, BatchTransfer, BatchRequestWithdrawal, BatchCompleteWithdrawal, BatchFailWithdrawal,
        PlaceOrder, FillOrder, CancelOrder, GetOrder, ListOrders, WatchOrderEvents,
        GetHistory, GetLedgerStatus, Reconcile, UpsertUser, SetTierLimit, AddToAllowlist,
    }

    // The expected answer of each cell: OK, U (Unauthenticated / unauthenticated), D (PermissionDenied / permission_denied).
    // Columns in the order of Principal.
    private const string Matrix = """
        GetBalances             U OK D OK OK OK D
        GetBalancesBatch        U OK D OK OK OK D
        ListAssets              U OK OK OK OK OK OK
        CreditDeposit           U D  D OK D  OK D
        RequestWithdrawal       U OK D OK OK OK D
        CompleteWithdrawal      U D  D OK D  OK D
        FailWithdrawal          U D  D OK D  OK D
        Transfer                U OK D OK OK OK D
        BatchDeposit            U D  D OK D  OK D
        BatchTransfer           U OK D OK OK OK D
        BatchRequestWithdrawal  U OK D OK OK OK D
        BatchCompleteWithdrawal U D  D OK D  OK D
        BatchFailWithdrawal     U D  D OK D  OK D
        PlaceOrder              U OK D OK OK OK D
        FillOrder               U D  D OK D  OK D
        CancelOrder             U OK D OK OK OK D
        GetOrder                U OK D OK OK OK D
        ListOrders              U OK D OK OK OK D
        WatchOrderEvents        U OK D OK OK OK D
        GetHistory              U OK D OK OK OK D
        GetLedgerStatus         U OK D OK OK OK D
        Reconcile               U D  D OK D  OK D
        UpsertUser              U D  D D  OK D  D
        SetTierLimit            U D  D D  OK D  D
        AddToAllowlist          U D  D D  OK D  D
        """;

    /// <summary>A tier no other test uses, so SetTierLimit's cell sees only its own change.</summary>
    private const int MatrixTier = 8;

    public static TheoryData<Method, Principal, string> Cells()
    {
        var cells = new TheoryData<Method, Principal, string>();
        var rows = Matrix.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(Enum.GetValues<Method>().Length, rows.Length);
        foreach (var row in rows)
        {
            var columns = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var method = Enum.Parse<Method>(columns[0]);
            var principals = Enum.GetValues<Principal>();
            Assert.Equal(principals.Length, columns.Length - 1);
            for (var i = 0; i < principals.Length; i++) cells.Add(method, principals[i], columns[i + 1]);
        }
        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Each_method_answers_each_caller_as_the_matrix_says(Method method, Principal principal, string expected)
    {
        var world = await World.CreateAsync(fixture);
        var invoker = principal switch
        {
            Principal.Anonymous => fixture.Cluster.RawInvoker(0, token: ""),
            Principal.UserOwn => fixture.Cluster.RawInvoker(0, fixture.Cluster.Credentials.UserToken(world.Target)),
            Principal.UserOther => fixture.Cluster.RawInvoker(0, fixture.Cluster.Credentials.UserToken(world.Other)),
            Principal.Operator => fixture.Cluster.RawInvoker(0, fixture.Cluster.Credentials.Issue("matrix-operator", ["operator"])),
            Principal.Admin => fixture.Cluster.RawInvoker(0, fixture.Cluster.Credentials.Issue("matrix-admin", ["admin"])),
            Principal.ServiceKey => fixture.Cluster.RawInvoker(0, apiKey: fixture.Cluster.Credentials.ServiceApiKey),
            Principal.Roleless => fixture.Cluster.RawInvoker(0, fixture.Cluster.Credentials.Issue(world.Target, [])),
            _ => throw new ArgumentOutOfRangeException(nameof(principal)),
        };
        var before = await world.SnapshotAsync();

        var outcome = await CallOutcome.Of(() => Call(method, invoker, world));
        output.WriteLine($"{method} as {principal}: {outcome}");

        switch (expected)
        {
            case "OK":
                Assert.True(outcome.Status == StatusCode.OK, $"{method} as {principal}: expected OK, got {outcome}");
                break;
            case "U":
                Assert.Equal((StatusCode.Unauthenticated, "unauthenticated"), (outcome.Status, outcome.Reason));
                Assert.Equal(before, await world.SnapshotAsync());
                break;
            case "D":
                Assert.Equal((StatusCode.PermissionDenied, "permission_denied"), (outcome.Status, outcome.Reason));
                Assert.Equal(before, await world.SnapshotAsync());
                break;
            default:
                throw new InvalidOperationException($"unknown expectation '{expected}'");
        }
    }

    [Fact]
    public async Task A_users_batch_runs_its_own_operations_and_refuses_only_the_others()
    {
        var world = await World.CreateAsync(fixture);
        var wallets = new WalletService.WalletServiceClient(fixture.Cluster.RawInvoker(0, fixture.Cluster.Credentials.UserToken(world.Target)));
        var request = new SubmitBatchRequest();
        request.Operations.Add(new BatchOperation { CreditDeposit = new() { UserId = world.Target, Asset = "ETH", Amount = "5", TxId = Ids.Key("tx") } });
        request.Operations.Add(new BatchOperation { Transfer = new() { FromUserId = world.Target, ToUserId = world.Other, Asset = "ETH", Amount = "7", IdempotencyKey = Ids.Key("t") } });
        request.Operations.Add(new BatchOperation { Transfer = new() { FromUserId = world.Other, ToUserId = world.Target, Asset = "ETH", Amount = "7", IdempotencyKey = Ids.Key("t") } });
        request.Operations.Add(new BatchOperation { CompleteWithdrawal = new() { UserId = world.Target, WithdrawalId = world.TargetWithdrawal } });

        var reply = await wallets.SubmitBatchAsync(request);

        Assert.Equal([(int)StatusCode.PermissionDenied, 0, (int)StatusCode.PermissionDenied, (int)StatusCode.PermissionDenied],
            reply.Results.Select(r => r.Status));
        Assert.All(reply.Results.Where(r => r.Status != 0), r => Assert.Equal("permission_denied", r.Reason));
        var balances = await fixture.Admin.Wallets.GetBalancesBatchAsync([world.Target, world.Other]);
        Assert.Equal(World.Deposited - World.OrderSell - World.Withdrawal - 7, balances[0].Balances.Single(b => b.Asset == "ETH").Available);
        Assert.Equal(World.Deposited - World.OrderSell - World.Withdrawal + 7, balances[1].Balances.Single(b => b.Asset == "ETH").Available);
    }

    private static async Task Call(Method method, CallInvoker invoker, World w)
    {
        var wallets = new WalletService.WalletServiceClient(invoker);
        var orders = new OrderService.OrderServiceClient(invoker);
        var ledger = new LedgerApi.LedgerServiceClient(invoker);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        switch (method)
        {
            case Method.GetBalances:
                await wallets.GetBalancesAsync(new GetBalancesRequest { UserId = w.Target }, deadline: deadline);
                break;
            case Method.GetBalancesBatch:
                await wallets.GetBalancesBatchAsync(new GetBalancesBatchRequest { UserIds = { w.Target } }, deadline: deadline);
                break;
            case Method.ListAssets:
                await wallets.ListAssetsAsync(new ListAssetsRequest(), deadline: deadline);
                break;
            case Method.CreditDeposit:
                await wallets.CreditDepositAsync(w.Deposit(), deadline: deadline);
                break;
            case Method.RequestWithdrawal:
                await wallets.RequestWithdrawalAsync(w.NewWithdrawal(), deadline: deadline);
                break;
            case Method.CompleteWithdrawal:
                await wallets.CompleteWithdrawalAsync(w.Settle(), deadline: deadline);
                break;
            case Method.FailWithdrawal:
                await wallets.FailWithdrawalAsync(w.Settle(), deadline: deadline);
                break;
            case Method.Transfer:
                await wallets.TransferAsync(w.Transfer(), deadline: deadline);
                break;
            case Method.BatchDeposit:
                await Batch(wallets, new BatchOperation { CreditDeposit = w.Deposit() }, deadline);
                break;
            case Method.BatchTransfer:
                await Batch(wallets, new BatchOperation { Transfer = w.Transfer() }, deadline);
                break;
            case Method.BatchRequestWithdrawal:
                await Batch(wallets, new BatchOperation { RequestWithdrawal = w.NewWithdrawal() }, deadline);
                break;
            case Method.BatchCompleteWithdrawal:
                await Batch(wallets, new BatchOperation { CompleteWithdrawal = w.Settle() }, deadline);
                break;
            case Method.BatchFailWithdrawal:
                await Batch(wallets, new BatchOperation { FailWithdrawal = w.Settle() }, deadline);
                break;
            case Method.PlaceOrder:
                await orders.PlaceOrderAsync(new PlaceOrderRequest
                {
                    OrderId = Ids.Key("o"), UserId = w.Target, SellAsset = "ETH", SellAmount = "10", BuyAsset = "USDC", MinBuyAmount = "10",
                }, deadline: deadline);
                break;
            case Method.FillOrder:
                await orders.FillOrderAsync(new FillOrderRequest { OrderId = w.TargetOrder, FillId = "f1", SoldAmount = "10", BoughtAmount = "1000" },
                    deadline: deadline);
                break;
            case Method.CancelOrder:
                await orders.CancelOrderAsync(new CancelOrderRequest { OrderId = w.TargetOrder }, deadline: deadline);
                break;
            case Method.GetOrder:
                await orders.GetOrderAsync(new GetOrderRequest { OrderId = w.TargetOrder }, deadline: deadline);
                break;
            case Method.ListOrders:
                await orders.ListOrdersAsync(new ListOrdersRequest { UserId = w.Target }, deadline: deadline);
                break;
            case Method.WatchOrderEvents:
                await Watch(orders, w.Target);
                break;
            case Method.GetHistory:
                await ledger.GetHistoryAsync(new GetHistoryRequest { UserId = w.Target }, deadline: deadline);
                break;
            case Method.GetLedgerStatus:
                await ledger.GetLedgerStatusAsync(new GetLedgerStatusRequest { UserId = w.Target }, deadline: deadline);
                break;
            case Method.Reconcile:
                await ledger.ReconcileAsync(new ReconcileRequest(), deadline: deadline);
                break;
            case Method.UpsertUser:
                await ledger.UpsertUserAsync(new UpsertUserRequest { UserId = w.Target, KycTier = 2 }, deadline: deadline);
                break;
            case Method.SetTierLimit:
                await ledger.SetTierLimitAsync(new SetTierLimitRequest { KycTier = MatrixTier, Asset = "ETH", DailyLimit = Random.Shared.Next(1, 1_000_000).ToString() },
                    deadline: deadline);
                break;
            case Method.AddToAllowlist:
                await ledger.AddToAllowlistAsync(new AddToAllowlistRequest { UserId = w.Target, Chain = "bitcoin", Address = WithdrawalSetup.BitcoinAddress },
                    deadline: deadline);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, null);
        }
    }

    /// <summary>A batch of one operation: its own status stands for the call's (the call itself may be refused whole).</summary>
    private static async Task Batch(WalletService.WalletServiceClient wallets, BatchOperation operation, DateTime deadline)
    {
        var reply = await wallets.SubmitBatchAsync(new SubmitBatchRequest { Operations = { operation } }, deadline: deadline);
        var result = Assert.Single(reply.Results);
        if (result.Status != 0)
            throw new RpcException(new Status((StatusCode)result.Status, result.Message), new Metadata { { "error-reason", result.Reason } });
    }

    /// <summary>
    /// A watch is accepted once its headers arrive and the stream stays open; a refused watch ends
    /// with its status. Either way the call is cancelled after.
    /// </summary>
    private static async Task Watch(OrderService.OrderServiceClient orders, string userId)
    {
        using var cancel = new CancellationTokenSource();
        using var call = orders.WatchOrderEvents(new WatchOrderEventsRequest { UserId = userId }, cancellationToken: cancel.Token);
        await call.ResponseHeadersAsync;
        var next = call.ResponseStream.MoveNext(cancel.Token);
        var finished = await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(1)));
        if (finished == next) await next; // ended at once: throws the refusal
        cancel.Cancel();
        try { await next; }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled) { }
    }

    /// <summary>Two fresh users, each with ETH, an open order and a pending withdrawal, journaled.</summary>
    private sealed class World
    {
        public const long Deposited = 1_000;
        public const long OrderSell = 100;
        public const long Withdrawal = 10;

        private readonly SecurityFixture _fixture;

        private World(SecurityFixture fixture) => _fixture = fixture;

        public string Target { get; } = Ids.User("bob");
        public string Other { get; } = Ids.User("alice");
        public string TargetOrder { get; } = Ids.Key("order-bob");
        public string OtherOrder { get; } = Ids.Key("order-alice");
        public string TargetWithdrawal { get; } = Ids.Key("w-bob");
        public string OtherWithdrawal { get; } = Ids.Key("w-alice");

        public static async Task<World> CreateAsync(SecurityFixture fixture)
        {
            var world = new World(fixture);
            var admin = fixture.Admin;
            await admin.Ledger.SetTierLimitAsync(WithdrawalSetup.GenerousTier, "ETH", System.Numerics.BigInteger.Pow(10, 30));
            foreach (var (user, order, withdrawal) in new[] { (world.Target, world.TargetOrder, world.TargetWithdrawal), (world.Other, world.OtherOrder, world.OtherWithdrawal) })
            {
                await admin.Ledger.UpsertUserAsync(user, WithdrawalSetup.GenerousTier);
                await admin.Ledger.AddToAllowlistAsync(user, "ethereum", WithdrawalSetup.EthereumAddress);
                await admin.Wallets.CreditDepositAsync(user, "ETH", Deposited, "0xmatrix:" + user);
                await admin.Orders.PlaceAsync(order, user, "ETH", OrderSell, "USDC", 100);
                await admin.Wallets.RequestWithdrawalAsync(user, withdrawal, "ETH", Withdrawal, WithdrawalSetup.EthereumAddress);
            }
            await Journaled.WaitAsync(admin, world.Target, world.Other);
            return world;
        }

        public Task<string> SnapshotAsync() =>
            WalletSnapshot.TakeAsync(_fixture, [Target, Other], [TargetOrder, OtherOrder], MatrixTier);

        public CreditDepositRequest Deposit() => new() { UserId = Target, Asset = "ETH", Amount = "5", TxId = Ids.Key("0xtx") };

        public RequestWithdrawalRequest NewWithdrawal() => new()
        {
            UserId = Target, WithdrawalId = Ids.Key("w"), Asset = "ETH", Amount = "1", Address = WithdrawalSetup.EthereumAddress,
        };

        public SettleWithdrawalRequest Settle() => new() { UserId = Target, WithdrawalId = TargetWithdrawal };

        public TransferRequest Transfer() => new()
        {
            FromUserId = Target, ToUserId = Other, Asset = "ETH", Amount = "3", IdempotencyKey = Ids.Key("t"),
        };
    }
}
