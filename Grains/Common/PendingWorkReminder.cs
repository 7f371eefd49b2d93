namespace OrleansWallet.Common;

/// <summary>
/// A durable wake-up for a grain with unfinished cross-grain work (an order's wallet step; a
/// wallet's transfers use the pending-transfer index instead). Registered before the work is
/// recorded, so a crash between recording and finishing always leaves a reminder that
/// re-activates the grain to finish it. The grain calls both methods from a non-reentrant grain
/// (or under its own gate), so a registration and an unregistration never interleave.
/// </summary>
internal sealed class PendingWorkReminder(Grain grain, string name)
{
    /// <summary>1 min: Orleans' smallest reminder period; recovery also runs on every re-activation.</summary>
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    private bool _registered;

    /// <summary>
    /// Registers the reminder if this activation has not. A failure (the reminder table is in Redis
    /// too) is the caller's refusal, before it recorded anything: storage_unavailable, retry.
    /// </summary>
    public async Task EnsureRegisteredAsync()
    {
        if (_registered) return;
        try
        {
            await grain.RegisterOrUpdateReminder(name, Period, Period);
        }
        catch (Exception ex) when (ex is not WalletException)
        {
            throw new WalletException(ErrorCodes.StorageUnavailable,
                $"the reminder that would finish this operation after a crash could not be registered ({ex.GetType().Name}); " +
                "nothing was changed, retry with the same key");
        }
        _registered = true;
    }

    public async Task UnregisterAsync()
    {
        // Forgotten first: if unregistering fails halfway, the next piece of work registers again
        // (a spare reminder is harmless; a missing one would strand the work).
        _registered = false;
        var reminder = await grain.GetReminder(name);
        if (reminder is not null) await grain.UnregisterReminder(reminder);
    }
}
