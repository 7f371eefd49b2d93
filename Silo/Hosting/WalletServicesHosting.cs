using OrleansWallet.Orders;
using OrleansWallet.Orders.PendingWork;
using OrleansWallet.Storage;
using OrleansWallet.Wallet;
using OrleansWallet.Wallet.Outbox;
using OrleansWallet.Wallet.PendingTransfers;

namespace OrleansWallet.Silo.Hosting;

/// <summary>
/// What the wallet and order grains use besides their own state: the side data they keep in Redis
/// (operation archive, deposit claims, wallet directory, order lists, the pending-transfer and
/// pending-order indexes), the silo's one outbox writer that carries every wallet's journal
/// entries to Postgres, and its sweeps that finish interrupted transfers and order changes.
/// </summary>
internal static class WalletServicesHosting
{
    /// <summary>
    /// Call before the Orleans silo is added: hosted services stop in reverse order, so the writer
    /// keeps draining while the silo deactivates its grains, and stops after it.
    /// </summary>
    public static IServiceCollection AddWalletGrainServices(this IServiceCollection services, IConfiguration configuration,
        RedisHostOptions redis, SiloHostOptions host)
    {
        services.AddOptions<WalletRedisOptions>()
            .Configure(o =>
            {
                o.Configuration = redis.ConnectionString;
                // The same namespace Orleans uses for this service's grain state: "{ServiceId}/".
                o.KeyPrefix = host.ServiceId + "/";
            })
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WalletRedis>();
        services.AddHostedService(sp => sp.GetRequiredService<WalletRedis>());
        services.AddSingleton<OperationArchive>();
        services.AddSingleton<DepositClaims>();
        services.AddSingleton<WalletDirectory>();
        services.AddSingleton<UserOrderIndex>();
        services.AddSingleton<IPendingTransferIndex, PendingTransferIndex>();
        services.AddOptions<PendingTransferOptions>().Bind(configuration.GetSection(PendingTransferOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PendingTransferSweeper>();
        services.AddSingleton<IPendingOrderIndex, PendingOrderIndex>();
        services.AddOptions<PendingOrderOptions>().Bind(configuration.GetSection(PendingOrderOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PendingOrderSweeper>();
        services.AddSingleton<LedgerOutboxWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerOutboxWriter>());
        return services;
    }
}
