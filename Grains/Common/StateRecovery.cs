using Microsoft.Extensions.Logging;

namespace OrleansWallet.Common;

/// <summary>How every grain here writes its state: acknowledged, or as if it never happened.</summary>
internal static class StateRecovery
{
    /// <summary>
    /// Writes the state. If the write fails, the in-memory state may hold a change that is not
    /// acknowledged (or, if the write did land, a stale ETag): reload what storage has, or drop the
    /// activation if even that fails, and tell the caller to retry with the same key.
    /// </summary>
    public static async Task WriteOrRestoreAsync<T>(IPersistentState<T> state, Grain grain, ILogger logger)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception writeError)
        {
            logger.LogError(writeError, "Grain {Grain}: state write failed", grain.GetGrainId());
            await ReloadOrDeactivateAsync(state, grain, logger);
            throw new WalletException(ErrorCodes.StorageUnavailable,
                "storage is unavailable; nothing was changed unless a retry with the same key says so");
        }
    }

    private static async Task ReloadOrDeactivateAsync<T>(IPersistentState<T> state, Grain grain, ILogger logger)
    {
        try
        {
            await state.ReadStateAsync();
        }
        catch (Exception readError)
        {
            logger.LogError(readError, "Grain {Grain}: state reload failed; deactivating", grain.GetGrainId());
            grain.DeactivateOnIdle();
        }
    }
}
