using System.Numerics;
using OrleansWallet.Api.V1;
using static OrleansWallet.Client.ModelMapping;

namespace OrleansWallet.Client;

/// <summary>
/// Balances, deposits, withdrawals and transfers. Each mutation takes the idempotency key the
/// caller chose; a retry (automatic or yours) with the same key returns the first answer.
/// Refusals throw <see cref="WalletApiException"/> subclasses.
/// </summary>
public sealed class WalletClient
{
    private readonly WalletChannel _channel;
    private readonly WalletService.WalletServiceClient _grpc;

    internal WalletClient(WalletChannel channel)
    {
        _channel = channel;
        _grpc = new WalletService.WalletServiceClient(channel.Invoker);
    }

    public Task<IReadOnlyList<Balance>> GetBalancesAsync(string userId, CancellationToken cancellationToken = default) =>
        ErrorTranslation.Translate<IReadOnlyList<Balance>>(async () =>
        {
            var reply = await _grpc.GetBalancesAsync(new GetBalancesRequest { UserId = userId }, Options(cancellationToken));
            return reply.Balances.Select(b => b.ToModel()).ToList();
        });

    /// <summary>Credits an on-chain deposit once per <paramref name="txId"/> (e.g. <c>txhash:logIndex</c>).</summary>
    public Task<OperationOutcome> CreditDepositAsync(string userId, string asset, BigInteger amount, string txId,
        CancellationToken cancellationToken = default) =>
        Mutate(() => _grpc.CreditDepositAsync(new CreditDepositRequest
        {
            UserId = userId, Asset = asset, Amount = Format(amount), TxId = txId,
        }, Options(cancellationToken)).ResponseAsync);

    /// <summary>Moves <paramref name="amount"/> from available to held until the withdrawal completes or fails.</summary>
    public Task<OperationOutcome> RequestWithdrawalAsync(string userId, string withdrawalId, string asset, BigInteger amount,
        string address, CancellationToken cancellationToken = default) =>
        Mutate(() => _grpc.RequestWithdrawalAsync(new RequestWithdrawalRequest
        {
            UserId = userId, WithdrawalId = withdrawalId, Asset = asset, Amount = Format(amount), Address = address,
        }, Options(cancellationToken)).ResponseAsync);

    public Task<OperationOutcome> CompleteWithdrawalAsync(string userId, string withdrawalId, CancellationToken cancellationToken = default) =>
        Mutate(() => _grpc.CompleteWithdrawalAsync(new SettleWithdrawalRequest { UserId = userId, WithdrawalId = withdrawalId },
            Options(cancellationToken)).ResponseAsync);

    public Task<OperationOutcome> FailWithdrawalAsync(string userId, string withdrawalId, CancellationToken cancellationToken = default) =>
        Mutate(() => _grpc.FailWithdrawalAsync(new SettleWithdrawalRequest { UserId = userId, WithdrawalId = withdrawalId },
            Options(cancellationToken)).ResponseAsync);

    /// <summary>Moves funds to another user exactly once per <paramref name="idempotencyKey"/>.</summary>
    public Task<OperationOutcome> TransferAsync(string fromUserId, string toUserId, string asset, BigInteger amount,
        string idempotencyKey, CancellationToken cancellationToken = default) =>
        Mutate(() => _grpc.TransferAsync(new TransferRequest
        {
            FromUserId = fromUserId, ToUserId = toUserId, Asset = asset, Amount = Format(amount), IdempotencyKey = idempotencyKey,
        }, Options(cancellationToken)).ResponseAsync);

    /// <summary>
    /// Submits up to 1,000 operations in one call. Each has its own key and its own result, in the
    /// order given; they are not atomic together. Retrying a batch (automatically on Unavailable,
    /// or yourself) is safe: every operation replays by its key.
    /// </summary>
    public Task<IReadOnlyList<BatchResult>> SubmitBatchAsync(IReadOnlyList<WalletOperation> operations,
        CancellationToken cancellationToken = default) =>
        ErrorTranslation.Translate<IReadOnlyList<BatchResult>>(async () =>
        {
            var request = new SubmitBatchRequest();
            request.Operations.AddRange(operations.Select(ToProto));
            var reply = await _grpc.SubmitBatchAsync(request, Options(cancellationToken));
            return reply.Results.Select(r => r.Status == 0
                ? new BatchResult(r.Reply.ToModel(), null)
                : new BatchResult(null, ErrorTranslation.ToApiException(
                    new Grpc.Core.RpcException(new Grpc.Core.Status((Grpc.Core.StatusCode)r.Status, r.Message),
                        new Grpc.Core.Metadata { { ErrorTranslation.ReasonTrailer, r.Reason } })))).ToList();
        });

    /// <summary>The balances of up to 1,000 users in one call, in the order given.</summary>
    public Task<IReadOnlyList<WalletBalances>> GetBalancesBatchAsync(IReadOnlyList<string> userIds,
        CancellationToken cancellationToken = default) =>
        ErrorTranslation.Translate<IReadOnlyList<WalletBalances>>(async () =>
        {
            var request = new GetBalancesBatchRequest();
            request.UserIds.AddRange(userIds);
            var reply = await _grpc.GetBalancesBatchAsync(request, Options(cancellationToken));
            return reply.Wallets.Select(w => new WalletBalances(w.UserId, w.Balances.Select(b => b.ToModel()).ToList())).ToList();
        });

    private static BatchOperation ToProto(WalletOperation operation) => operation switch
    {
        DepositOperation d => new BatchOperation
        {
            CreditDeposit = new CreditDepositRequest { UserId = d.UserId, Asset = d.Asset, Amount = Format(d.Amount), TxId = d.TxId },
        },
        TransferOperation t => new BatchOperation
        {
            Transfer = new TransferRequest
            {
                FromUserId = t.FromUserId, ToUserId = t.ToUserId, Asset = t.Asset, Amount = Format(t.Amount),
                IdempotencyKey = t.IdempotencyKey,
            },
        },
        WithdrawalRequestOperation w => new BatchOperation
        {
            RequestWithdrawal = new RequestWithdrawalRequest
            {
                UserId = w.UserId, WithdrawalId = w.WithdrawalId, Asset = w.Asset, Amount = Format(w.Amount), Address = w.Address,
            },
        },
        WithdrawalCompleteOperation c => new BatchOperation
        {
            CompleteWithdrawal = new SettleWithdrawalRequest { UserId = c.UserId, WithdrawalId = c.WithdrawalId },
        },
        WithdrawalFailOperation f => new BatchOperation
        {
            FailWithdrawal = new SettleWithdrawalRequest { UserId = f.UserId, WithdrawalId = f.WithdrawalId },
        },
        _ => throw new ArgumentException($"unknown operation type {operation.GetType().Name}", nameof(operation)),
    };

    public Task<IReadOnlyList<AssetDescription>> ListAssetsAsync(CancellationToken cancellationToken = default) =>
        ErrorTranslation.Translate<IReadOnlyList<AssetDescription>>(async () =>
        {
            var reply = await _grpc.ListAssetsAsync(new ListAssetsRequest(), Options(cancellationToken));
            return reply.Assets.Select(a => new AssetDescription(a.Symbol, a.Chain, a.Decimals)).ToList();
        });

    private static Task<OperationOutcome> Mutate(Func<Task<OperationReply>> call) =>
        ErrorTranslation.Translate(async () => (await call()).ToModel());

    private Grpc.Core.CallOptions Options(CancellationToken cancellationToken) => _channel.CallOptions(cancellationToken);
}
