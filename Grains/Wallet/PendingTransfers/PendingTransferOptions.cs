using OrleansWallet.Common.PendingWork;

namespace OrleansWallet.Wallet.PendingTransfers;

/// <summary>
/// How the silos finish transfers interrupted between the debit and the credit (configuration
/// section <c>Wallet:PendingTransfers</c>): a wallet re-activated by any call finishes its own at
/// once; the sweep is for wallets nobody calls.
/// </summary>
public sealed class PendingTransferOptions() : PendingWorkOptions(Section)
{
    public const string Section = "Wallet:PendingTransfers";
}
