using Microsoft.Extensions.Logging;

namespace OrleansWallet.Common;

internal static class StateRecovery
{
    /// <summary>
    /// After a failed write the in-memory state may hold a change that is not acknowledged (or,
    /// if the write did land, a stale ETag). Reload what storage has; if even that fails, drop
    /// the activation so the next call starts from storage.
    /// </summary>
    public static async Task ReloadOrDeactivateAsync<T>(IPersistentState<T> state, Grain grain, ILogger logger)
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
