using OrleansWallet.Common.PendingWork;

namespace OrleansWallet.Wallet.PendingTransfers;

/// <summary>
/// The wallets that may hold a transfer whose credit leg is not delivered yet. A wallet enters
/// itself before it writes its first transfer intent and takes itself out, under its gate, once it
/// has no intent left; the silos' <see cref="PendingTransferSweeper"/> wakes the ones that stay.
/// </summary>
public interface IPendingTransferIndex : IPendingWorkIndex;
