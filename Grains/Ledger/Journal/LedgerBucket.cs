namespace OrleansWallet.Ledger.Journal;

/// <summary>
/// Where a user's amount of an asset sits. <see cref="External"/> is the outside world (chains,
/// order counterparties): its entries make each operation balance, and its negated sum per user is
/// what they brought in net.
/// </summary>
public enum LedgerBucket
{
    Available,
    Held,
    External,
}
