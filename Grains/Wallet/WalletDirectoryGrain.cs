using Microsoft.Extensions.Logging;
using OrleansWallet.Common;

namespace OrleansWallet.Wallet;

/// <summary>One shard of the wallet directory: the user ids whose wallets ever changed.</summary>
public sealed class WalletDirectoryGrain(
    [PersistentState("wallet-directory", StorageNames.Wallets)] IPersistentState<WalletDirectoryState> state,
    ILogger<WalletDirectoryGrain> logger)
    : Grain, IWalletDirectoryGrain
{
    public async Task Register(string userId)
    {
        Identifiers.RequireUserId(userId);
        if (!state.State.UserIds.Add(userId)) return;
        // Not acknowledged, so not kept: the wallet asks again on its next change.
        await StateRecovery.WriteOrRestoreAsync(state, this, logger);
    }

    public Task<IReadOnlyList<string>> ListUsers() =>
        Task.FromResult<IReadOnlyList<string>>(state.State.UserIds.Order(StringComparer.Ordinal).ToList());
}

[GenerateSerializer]
public sealed class WalletDirectoryState
{
    [Id(0)] public HashSet<string> UserIds { get; set; } = new(StringComparer.Ordinal);
}
