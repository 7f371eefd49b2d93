using System.Numerics;
using Grpc.Core;

namespace OrleansWallet.Client;

/// <summary>One operation of <see cref="WalletClient.SubmitBatchAsync"/>; each carries its own idempotency key.</summary>
public abstract record WalletOperation;

public sealed record DepositOperation(string UserId, string Asset, BigInteger Amount, string TxId) : WalletOperation;

public sealed record TransferOperation(string FromUserId, string ToUserId, string Asset, BigInteger Amount, string IdempotencyKey)
    : WalletOperation;

public sealed record WithdrawalRequestOperation(string UserId, string WithdrawalId, string Asset, BigInteger Amount, string Address)
    : WalletOperation;

public sealed record WithdrawalCompleteOperation(string UserId, string WithdrawalId) : WalletOperation;

public sealed record WithdrawalFailOperation(string UserId, string WithdrawalId) : WalletOperation;

/// <summary>
/// The answer to one operation of a batch: its <see cref="Outcome"/>, or the <see cref="Error"/> the
/// same operation sent alone would have thrown (same type, status and reason).
/// </summary>
public sealed record BatchResult(OperationOutcome? Outcome, WalletApiException? Error)
{
    public bool Succeeded => Error is null;

    public StatusCode Status => Error?.Status ?? StatusCode.OK;
}

/// <summary>One user's balances, as <see cref="WalletClient.GetBalancesBatchAsync"/> returns them.</summary>
public sealed record WalletBalances(string UserId, IReadOnlyList<Balance> Balances);
