namespace OrleansWallet.Ledger.Journal;

/// <summary>
/// Where a user's amount of an asset sits. <see cref="External"/> is the outside world (chains,
/// order counterparties): its entries make each operation balance, and its negated sum per user is
/// what they brought in net. <see cref="Transit"/> is a payer's money between a transfer's two
/// legs: the payer's debit puts it there, the payee's credit (or a refund) takes it out, so it sums
/// to zero per user whenever no transfer of theirs is half done.
/// </summary>
public enum LedgerBucket
{
    Available,
    Held,
    External,
    Transit,
}
