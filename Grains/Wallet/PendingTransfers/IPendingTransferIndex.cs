namespace OrleansWallet.Wallet.PendingTransfers;

/// <summary>
/// The wallets that may hold a transfer whose credit leg is not delivered yet. A wallet enters
/// itself before it writes its first transfer intent (so a crash between that write and the
/// delivery always leaves it here), and only the wallet takes itself out, once it has no intent
/// left. Each silo's <see cref="PendingTransferSweeper"/> wakes the wallets that stayed in it
/// longer than a grace period. One entry per wallet, whatever its number of transfers.
/// </summary>
public interface IPendingTransferIndex
{
    /// <summary>Enters the wallet (again), due for a sweep after the grace period. A failure means the transfer must not be recorded.</summary>
    Task AddAsync(string userId);

    /// <summary>Keeps the wallet in, due for a sweep a grace period from now: its intents could not all be delivered yet.</summary>
    Task PostponeAsync(string userId);

    /// <summary>Takes the wallet out: called by the wallet itself, under its gate, when it holds no intent.</summary>
    Task RemoveAsync(string userId);

    /// <summary>Up to <paramref name="count"/> wallets of the shard that entered (or were postponed) before <paramref name="dueBefore"/>, oldest first.</summary>
    Task<IReadOnlyList<string>> DueAsync(int shard, DateTimeOffset dueBefore, int count);
}
