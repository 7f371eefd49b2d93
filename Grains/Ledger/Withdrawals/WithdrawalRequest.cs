using System.Numerics;

namespace OrleansWallet.Ledger.Withdrawals;

/// <summary>
/// A withdrawal as the policy checks and records it. <paramref name="WithdrawalId"/> is the
/// caller's idempotency key: recording the same id twice counts it once.
/// </summary>
public sealed record WithdrawalRequest(
    string WithdrawalId, string UserId, string Asset, BigInteger Amount, string Chain, string Address);
