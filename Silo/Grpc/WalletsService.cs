using Grpc.Core;
using OrleansWallet.Api.V1;
using OrleansWallet.Assets;
using OrleansWallet.Wallet;
using static OrleansWallet.Silo.Grpc.ApiMapping;

namespace OrleansWallet.Silo.Grpc;

/// <summary>The wallet API: validates ids and amounts at the edge, then asks the user's wallet grain.</summary>
public sealed class WalletsService(IGrainFactory grains, AssetCatalog assets) : WalletService.WalletServiceBase
{
    public override async Task<BalancesReply> GetBalances(GetBalancesRequest request, ServerCallContext context)
    {
        var userId = Identifiers.RequireUserId(request.UserId);
        var balances = await Wallet(userId).GetBalances();
        var reply = new BalancesReply { UserId = userId };
        reply.Balances.AddRange(balances.Select(b => b.ToProto()));
        return reply;
    }

    public override async Task<OperationReply> CreditDeposit(CreditDepositRequest request, ServerCallContext context)
    {
        var userId = Identifiers.RequireUserId(request.UserId);
        var command = new CreditDeposit(
            Identifiers.RequireKey(request.TxId, "tx_id"),
            assets.Require(request.Asset, "asset").Symbol,
            ParseAmount(request.Amount, "amount"));
        return (await Wallet(userId).CreditDeposit(command)).ToProto();
    }

    public override async Task<OperationReply> RequestWithdrawal(RequestWithdrawalRequest request, ServerCallContext context)
    {
        var userId = Identifiers.RequireUserId(request.UserId);
        var command = new RequestWithdrawal(
            Identifiers.RequireKey(request.WithdrawalId, "withdrawal_id"),
            assets.Require(request.Asset, "asset").Symbol,
            ParseAmount(request.Amount, "amount"),
            request.Address);
        return (await Wallet(userId).RequestWithdrawal(command)).ToProto();
    }

    public override async Task<OperationReply> CompleteWithdrawal(SettleWithdrawalRequest request, ServerCallContext context)
    {
        var userId = Identifiers.RequireUserId(request.UserId);
        var id = Identifiers.RequireKey(request.WithdrawalId, "withdrawal_id");
        return (await Wallet(userId).CompleteWithdrawal(id)).ToProto();
    }

    public override async Task<OperationReply> FailWithdrawal(SettleWithdrawalRequest request, ServerCallContext context)
    {
        var userId = Identifiers.RequireUserId(request.UserId);
        var id = Identifiers.RequireKey(request.WithdrawalId, "withdrawal_id");
        return (await Wallet(userId).FailWithdrawal(id)).ToProto();
    }

    public override async Task<OperationReply> Transfer(TransferRequest request, ServerCallContext context)
    {
        var fromUserId = Identifiers.RequireUserId(request.FromUserId, "from_user_id");
        var command = new TransferFunds(
            Identifiers.RequireKey(request.IdempotencyKey, "idempotency_key"),
            Identifiers.RequireUserId(request.ToUserId, "to_user_id"),
            assets.Require(request.Asset, "asset").Symbol,
            ParseAmount(request.Amount, "amount"));
        return (await Wallet(fromUserId).Transfer(command)).ToProto();
    }

    public override Task<ListAssetsReply> ListAssets(ListAssetsRequest request, ServerCallContext context)
    {
        var reply = new ListAssetsReply();
        reply.Assets.AddRange(assets.All.OrderBy(a => a.Symbol, StringComparer.Ordinal)
            .Select(a => new Asset { Symbol = a.Symbol, Chain = a.Chain, Decimals = a.Decimals }));
        return Task.FromResult(reply);
    }

    private IWalletGrain Wallet(string userId) => grains.GetGrain<IWalletGrain>(userId);
}
