namespace OrleansWallet.Ledger.Withdrawals;

/// <summary>Whether a withdrawal may go ahead; if not, <see cref="Reason"/> is one of <see cref="WithdrawalRejection"/>.</summary>
public sealed record WithdrawalDecision(bool IsAllowed, string? Reason, string? Detail)
{
    public static readonly WithdrawalDecision Allowed = new(true, null, null);
    public static WithdrawalDecision Rejected(string reason, string detail) => new(false, reason, detail);
}
