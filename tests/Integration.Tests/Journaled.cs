using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

internal static class Journaled
{
    /// <summary>Polls until the users' ledger outboxes are empty and no transfer of theirs is in flight.</summary>
    public static async Task WaitAsync(WalletChannel channel, params string[] userIds)
    {
        foreach (var user in userIds)
            await Eventually.ReturnsAsync(() => channel.Ledger.GetStatusAsync(user),
                s => s is { OutboxEntries: 0, PendingWithdrawalUpdates: 0, PendingTransfers: 0 },
                TimeSpan.FromSeconds(60), $"ledger outbox of {user} drained");
    }
}
