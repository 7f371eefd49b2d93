using Orleans.Persistence;
using Orleans.Storage;
using Orleans.Timers;
using OrleansWallet.Wallet.PendingTransfers;

namespace OrleansWallet.Silo.Hosting.FaultInjection;

/// <summary>Wires the test-only fault points in front of grain storage, the reminder registry and the pending-transfer index.</summary>
internal static class FaultInjectionHosting
{
    /// <summary>Replaces the named Redis grain storage with one that can be told to fail writes.</summary>
    public static void AddStorageFaults(this IServiceCollection services, string storageName)
    {
        services.TryAddFaultSwitch();
        // The last keyed registration wins: the storage the grains (and the silo lifecycle) get is the decorator.
        services.AddKeyedSingleton<IGrainStorage>(storageName, (sp, name) =>
            new FaultInjectingGrainStorage(RedisGrainStorageFactory.Create(sp, (string)name!), sp.GetRequiredService<FaultSwitch>()));
    }

    /// <summary>Wraps the reminder registry (Orleans' own is internal, so it is built from its registration).</summary>
    public static void AddReminderFaults(this IServiceCollection services)
    {
        services.TryAddFaultSwitch();
        var original = services.Last(d => d.ServiceType == typeof(IReminderRegistry) && !d.IsKeyedService);
        var implementation = original.ImplementationType
            ?? throw new InvalidOperationException("the reminder registry is not registered by type; cannot inject faults");
        services.AddSingleton<IReminderRegistry>(sp => new FaultInjectingReminderRegistry(
            (IReminderRegistry)ActivatorUtilities.CreateInstance(sp, implementation), sp.GetRequiredService<FaultSwitch>()));
    }

    /// <summary>Wraps the pending-transfer index, so a test can fail a wallet's entering it.</summary>
    public static void AddPendingTransferIndexFaults(this IServiceCollection services)
    {
        services.TryAddFaultSwitch();
        services.AddSingleton<IPendingTransferIndex>(sp => new FaultInjectingPendingTransferIndex(
            ActivatorUtilities.CreateInstance<PendingTransferIndex>(sp), sp.GetRequiredService<FaultSwitch>()));
    }

    private static void TryAddFaultSwitch(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(FaultSwitch))) services.AddSingleton<FaultSwitch>();
    }
}
