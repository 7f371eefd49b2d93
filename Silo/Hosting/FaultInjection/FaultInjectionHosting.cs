using Orleans.Persistence;
using Orleans.Storage;
using OrleansWallet.Orders.PendingWork;
using OrleansWallet.Wallet.PendingTransfers;

namespace OrleansWallet.Silo.Hosting.FaultInjection;

/// <summary>Wires the test-only fault points in front of grain storage and the pending-work indexes.</summary>
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

    /// <summary>Wraps the pending-transfer and pending-order indexes, so a test can fail a wallet's or an order's entering them.</summary>
    public static void AddPendingWorkIndexFaults(this IServiceCollection services)
    {
        services.TryAddFaultSwitch();
        services.AddSingleton<IPendingTransferIndex>(sp => new FaultInjectingPendingTransferIndex(
            ActivatorUtilities.CreateInstance<PendingTransferIndex>(sp), sp.GetRequiredService<FaultSwitch>()));
        services.AddSingleton<IPendingOrderIndex>(sp => new FaultInjectingPendingOrderIndex(
            ActivatorUtilities.CreateInstance<PendingOrderIndex>(sp), sp.GetRequiredService<FaultSwitch>()));
    }

    private static void TryAddFaultSwitch(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(FaultSwitch))) services.AddSingleton<FaultSwitch>();
    }
}
