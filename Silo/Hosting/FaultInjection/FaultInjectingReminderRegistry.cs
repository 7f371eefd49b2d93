using Orleans.Timers;

namespace OrleansWallet.Silo.Hosting.FaultInjection;

/// <summary>The reminder registry, failing the registrations a test asked to fail (see <see cref="FaultSwitch"/>).</summary>
internal sealed class FaultInjectingReminderRegistry(IReminderRegistry inner, FaultSwitch faults) : IReminderRegistry
{
    public async Task<IGrainReminder> RegisterOrUpdateReminder(GrainId callingGrainId, string reminderName, TimeSpan dueTime, TimeSpan period)
    {
        if (await faults.ShouldFailAsync("reminder", callingGrainId))
            throw new TimeoutException($"fault injection: reminder registration of {callingGrainId} failed");
        return await inner.RegisterOrUpdateReminder(callingGrainId, reminderName, dueTime, period);
    }

    public Task UnregisterReminder(GrainId callingGrainId, IGrainReminder reminder) => inner.UnregisterReminder(callingGrainId, reminder);

    public Task<IGrainReminder?> GetReminder(GrainId callingGrainId, string reminderName) => inner.GetReminder(callingGrainId, reminderName);

    public Task<List<IGrainReminder>> GetReminders(GrainId callingGrainId) => inner.GetReminders(callingGrainId);
}
