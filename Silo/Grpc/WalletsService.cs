using Grpc.Core;
using OrleansWallet.Api.V1;
using OrleansWallet.Assets;
using OrleansWallet.Silo.Security;
using OrleansWallet.Wallet;
using static OrleansWallet.Silo.Grpc.ApiMapping;

namespace OrleansWallet.Silo.Grpc;

/// <summary>
/// The wallet API: checks the caller may do the operation (<see cref="AccessRules"/>), validates
/// ids and amounts at the edge, then asks the user's wallet grain. A batch runs each operation
/// through the same checks as the single call.
/// </summary>
[BindServiceMethod(typeof(WalletsService), nameof(BindService))]
public sealed class WalletsService(IGrainFactory grains, AssetCatalog assets, ILogger<WalletsService> logger)
    : WalletService.WalletServiceBase
{
    /// <summary>Binds the generated service with strict request parsing (<see cref="StrictRequestParsing"/>).</summary>
    public static void BindService(ServiceBinderBase binder, WalletService.WalletServiceBase service) =>
        WalletService.BindService(new StrictRequestParsing(binder), service);

    /// <summary>
    /// 1,000 operations a batch: a full reply (~300 bytes an answer) stays well inside the 1 MiB
    /// message limit, and one batch cannot occupy the cluster for long.
    /// </summary>
    public const int BatchOperationsMax = 1_000;

    public override async Task<BalancesReply> GetBalances(GetBalancesRequest request, ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.ReadBalances, request.UserId);
        return await BalancesOf(Identifiers.RequireUserId(request.UserId));
    }

    /// <summary>A read of many wallets: refused whole if the caller may not read any one of them.</summary>
    public override async Task<GetBalancesBatchReply> GetBalancesBatch(GetBalancesBatchRequest request, ServerCallContext context)
    {
        RequireBatchSize(request.UserIds.Count, "user_ids");
        var caller = Caller.Of(context);
        foreach (var userId in request.UserIds) AccessRules.Require(caller, ApiOperation.ReadBalances, userId);
        var userIds = request.UserIds.Select((id, i) => Identifiers.RequireUserId(id, $"user_ids[{i}]")).ToList();
        var reply = new GetBalancesBatchReply();
        reply.Wallets.AddRange(await Task.WhenAll(userIds.Select(BalancesOf)));
        return reply;
    }

    private async Task<BalancesReply> BalancesOf(string userId)
    {
        var balances = await Wallet(userId).GetBalances();
        var reply = new BalancesReply { UserId = userId };
        reply.Balances.AddRange(balances.Select(b => b.ToProto()));
        return reply;
    }

    public override async Task<OperationReply> CreditDeposit(CreditDepositRequest request, ServerCallContext context) =>
        (await Apply(request, Caller.Of(context))).ToProto();

    public override async Task<OperationReply> RequestWithdrawal(RequestWithdrawalRequest request, ServerCallContext context) =>
        (await Apply(request, Caller.Of(context))).ToProto();

    public override async Task<OperationReply> CompleteWithdrawal(SettleWithdrawalRequest request, ServerCallContext context) =>
        (await Complete(request, Caller.Of(context))).ToProto();

    public override async Task<OperationReply> FailWithdrawal(SettleWithdrawalRequest request, ServerCallContext context) =>
        (await Fail(request, Caller.Of(context))).ToProto();

    public override async Task<OperationReply> Transfer(TransferRequest request, ServerCallContext context) =>
        (await Apply(request, Caller.Of(context))).ToProto();

    /// <summary>
    /// Runs every operation of the batch concurrently through the same code as the single calls,
    /// authorization included; each answer (or refusal, mapped exactly as a single call's would be)
    /// lands at its index. A user's batch may carry only its own transfers and withdrawal requests:
    /// anything else is refused for that operation alone.
    /// </summary>
    public override async Task<SubmitBatchReply> SubmitBatch(SubmitBatchRequest request, ServerCallContext context)
    {
        RequireBatchSize(request.Operations.Count, "operations");
        var caller = Caller.Of(context);
        var results = await Task.WhenAll(request.Operations.Select(operation => Settle(operation, caller, context.Method)));
        var reply = new SubmitBatchReply();
        reply.Results.AddRange(results);
        return reply;
    }

    private async Task<BatchOperationResult> Settle(BatchOperation operation, Caller caller, string method)
    {
        try
        {
            var result = await (operation.OperationCase switch
            {
                BatchOperation.OperationOneofCase.CreditDeposit => Apply(operation.CreditDeposit, caller),
                BatchOperation.OperationOneofCase.Transfer => Apply(operation.Transfer, caller),
                BatchOperation.OperationOneofCase.RequestWithdrawal => Apply(operation.RequestWithdrawal, caller),
                BatchOperation.OperationOneofCase.CompleteWithdrawal => Complete(operation.CompleteWithdrawal, caller),
                BatchOperation.OperationOneofCase.FailWithdrawal => Fail(operation.FailWithdrawal, caller),
                _ => throw new WalletException(ErrorCodes.FieldMalformed, "operation is empty: set one of its fields"),
            });
            return new BatchOperationResult { Reply = result.ToProto() };
        }
        catch (Exception ex)
        {
            var refusal = ErrorMapping.ToRefusal(ex, method, logger);
            return new BatchOperationResult { Status = (int)refusal.Status, Reason = refusal.Reason, Message = refusal.Message };
        }
    }

    private Task<OperationResult> Apply(CreditDepositRequest request, Caller caller)
    {
        AccessRules.Require(caller, ApiOperation.CreditDeposit, request.UserId);
        var userId = Identifiers.RequireUserId(request.UserId);
        var command = new CreditDeposit(
            Identifiers.RequireKey(request.TxId, "tx_id"),
            assets.Require(request.Asset, "asset").Symbol,
            ParseAmount(request.Amount, "amount"));
        return Wallet(userId).CreditDeposit(command);
    }

    private Task<OperationResult> Apply(RequestWithdrawalRequest request, Caller caller)
    {
        AccessRules.Require(caller, ApiOperation.RequestWithdrawal, request.UserId);
        var userId = Identifiers.RequireUserId(request.UserId);
        var command = new RequestWithdrawal(
            Identifiers.RequireKey(request.WithdrawalId, "withdrawal_id"),
            assets.Require(request.Asset, "asset").Symbol,
            ParseAmount(request.Amount, "amount"),
            request.Address);
        return Wallet(userId).RequestWithdrawal(command);
    }

    private Task<OperationResult> Complete(SettleWithdrawalRequest request, Caller caller)
    {
        AccessRules.Require(caller, ApiOperation.CompleteWithdrawal, request.UserId);
        var userId = Identifiers.RequireUserId(request.UserId);
        return Wallet(userId).CompleteWithdrawal(Identifiers.RequireKey(request.WithdrawalId, "withdrawal_id"));
    }

    private Task<OperationResult> Fail(SettleWithdrawalRequest request, Caller caller)
    {
        AccessRules.Require(caller, ApiOperation.FailWithdrawal, request.UserId);
        var userId = Identifiers.RequireUserId(request.UserId);
        return Wallet(userId).FailWithdrawal(Identifiers.RequireKey(request.WithdrawalId, "withdrawal_id"));
    }

    private Task<OperationResult> Apply(TransferRequest request, Caller caller)
    {
        AccessRules.Require(caller, ApiOperation.Transfer, request.FromUserId);
        var fromUserId = Identifiers.RequireUserId(request.FromUserId, "from_user_id");
        var command = new TransferFunds(
            Identifiers.RequireKey(request.IdempotencyKey, "idempotency_key"),
            Identifiers.RequireUserId(request.ToUserId, "to_user_id"),
            assets.Require(request.Asset, "asset").Symbol,
            ParseAmount(request.Amount, "amount"));
        return Wallet(fromUserId).Transfer(command);
    }

    public override Task<ListAssetsReply> ListAssets(ListAssetsRequest request, ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.ListAssets);
        var reply = new ListAssetsReply();
        reply.Assets.AddRange(assets.All.OrderBy(a => a.Symbol, StringComparer.Ordinal)
            .Select(a => new Asset { Symbol = a.Symbol, Chain = a.Chain, Decimals = a.Decimals }));
        return Task.FromResult(reply);
    }

    private static void RequireBatchSize(int count, string field)
    {
        if (count is < 1 or > BatchOperationsMax)
            throw new WalletException(ErrorCodes.FieldMalformed,
                $"{field} must hold between 1 and {BatchOperationsMax} entries (got {count})");
    }

    private IWalletGrain Wallet(string userId) => grains.GetGrainByKey<IWalletGrain>(userId);
}
