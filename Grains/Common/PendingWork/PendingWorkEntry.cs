namespace OrleansWallet.Common.PendingWork;

/// <summary>How a grain enters a pending-work index before it records work.</summary>
internal static class PendingWorkEntry
{
    /// <summary>
    /// Enters the grain; a failure is the caller's refusal (storage_unavailable), made before
    /// anything was recorded.
    /// </summary>
    /// <param name="work">What the entry would finish after a crash: "this transfer", "this order change".</param>
    public static async Task EnterBeforeRecordingAsync(this IPendingWorkIndex index, string id, string work)
    {
        try
        {
            await index.AddAsync(id);
        }
        catch (Exception ex) when (ex is not WalletException)
        {
            throw new WalletException(ErrorCodes.StorageUnavailable,
                $"the index entry that would finish {work} after a crash could not be written ({ex.GetType().Name}); " +
                "nothing was changed, retry with the same key");
        }
    }
}
