using System.Numerics;

namespace OrleansWallet.Ledger.Withdrawals;

/// <summary>The daily limit rule, shared by the cached pre-check and the locked record.</summary>
internal static class WithdrawalLimit
{
    /// <summary>
    /// Null if <paramref name="amount"/> fits, else the rejection. No configured limit means no
    /// withdrawals of that asset: a custodian denies by default.
    /// </summary>
    public static WithdrawalDecision? Exceeded(BigInteger? limit, BigInteger usedToday, BigInteger amount)
    {
        var effective = limit ?? BigInteger.Zero;
        if (usedToday + amount <= effective) return null;
        var remaining = BigInteger.Max(BigInteger.Zero, effective - usedToday);
        return WithdrawalDecision.Rejected(WithdrawalRejection.DailyLimitExceeded,
            limit is null
                ? "no daily withdrawal limit is configured for this user and asset"
                : $"daily limit {effective}, withdrawn today {usedToday}, remaining {remaining}, requested {amount}");
    }
}
