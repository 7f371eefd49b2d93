using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using OrleansWallet.Assets;
using OrleansWallet.Common;
using OrleansWallet.Silo.Hosting.FaultInjection;

namespace OrleansWallet.Silo.Hosting;

/// <summary>The Orleans side of the silo: clustering, storage and reminders on Redis, options.</summary>
public static class OrleansHosting
{
    public static WebApplicationBuilder AddWalletSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var host = configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        var redis = RedisHostOptions.From(configuration);
        ValidateAtStart(host);
        ValidateAtStart(redis);

        builder.Services.AddOptions<SiloHostOptions>().Bind(configuration.GetSection(SiloHostOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<AssetOptions>().Bind(configuration.GetSection(AssetOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AssetOptions>, AssetOptionsValidator>();
        builder.Services.AddOptions<FaultInjectionOptions>().Bind(configuration.GetSection(FaultInjectionOptions.Section));
        builder.Services.AddSingleton(sp => AssetCatalog.FromOptions(sp.GetRequiredService<IOptions<AssetOptions>>()));
        builder.Services.AddSingleton(TimeProvider.System);
        // Before Orleans: its membership start fails the silo on a Redis that is not answering yet.
        builder.Services.AddHostedService<RedisStartGate>();
        builder.Services.AddHostedService<RedisDurabilityCheck>();
        builder.Services.AddWalletGrainServices(configuration, redis, host);
        var faults = configuration.GetSection(FaultInjectionOptions.Section).Get<FaultInjectionOptions>() ?? new FaultInjectionOptions();

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = host.ClusterId;
                o.ServiceId = host.ServiceId;
            });
            silo.ConfigureEndpoints(IPAddress.Parse(host.AdvertisedIp), host.SiloPort, host.GatewayPort,
                listenOnAnyHostAddress: host.ListenIp != host.AdvertisedIp);
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = host.ResponseTimeout);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                // Two missed probes: a crashed silo is declared dead, and its grains move, within ~2–4 s,
                // so callers stall less than the 5 s a client may wait. Orleans adapts each probe's
                // timeout to observed latency, up to 4x by default: capped at 2x here, or on a loaded
                // machine detection stretches to 15 s and more. False suspicions under load are held
                // off by Orleans' connection-liveness check (a silo still sending is not voted dead).
                o.ProbeTimeout = host.ProbeTimeout;
                o.MaxProbeTimeout = host.ProbeTimeout * 2;
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });

            // Live grain inspection for operators, under /dashboard (Observability/OperationsHosting.cs).
            silo.AddDashboard(o => o.CounterUpdateIntervalMs = 1000);
            // In a Kubernetes pod only: outside a cluster UseKubernetesHosting refuses to start.
            // It takes the silo name from POD_NAME, the advertised address from POD_IP (unless
            // Silo:AdvertisedIp is set), the ids from ORLEANS_CLUSTER_ID / ORLEANS_SERVICE_ID, and
            // watches the pods labelled with them so a deleted pod's silo is declared dead at once.
            if (IsInKubernetes(configuration)) silo.UseKubernetesHosting();
            silo.UseRedisClustering(o => o.ConfigurationOptions = redis.ConnectionOptions());
            // No grain registers a reminder now (interrupted work is found through the pending-work
            // indexes); the service stays to deliver the per-wallet and per-order reminders earlier
            // versions left, each honoured once and dropped.
            silo.UseRedisReminderService(o => o.ConfigurationOptions = redis.ConnectionOptions());
            void AddStorage(ISiloBuilder target, string storage) =>
                target.AddRedisGrainStorage(storage, options => options.Configure<IServiceProvider>((o, services) =>
                {
                    o.ConfigurationOptions = redis.ConnectionOptions();
                    o.GrainStorageSerializer = ActivatorUtilities.CreateInstance<OrleansBinaryStorageSerializer>(services);
                }));
            AddStorage(silo, StorageNames.Wallets);
            AddStorage(silo, StorageNames.Orders);
            if (faults.StorageFaults)
            {
                silo.Services.AddStorageFaults(StorageNames.Wallets);
                silo.Services.AddStorageFaults(StorageNames.Orders);
                silo.Services.AddPendingWorkIndexFaults();
            }
            silo.AddOrderEventStreams(configuration, AddStorage);
        });
        return builder;
    }

    /// <summary>Kubernetes sets KUBERNETES_SERVICE_HOST in every container of a pod.</summary>
    public static bool IsInKubernetes(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["KUBERNETES_SERVICE_HOST"]);

    private static void ValidateAtStart<T>(T options) where T : class
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options,
                new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true))
            throw new OptionsValidationException(typeof(T).Name, typeof(T),
                results.Select(r => r.ErrorMessage ?? "invalid"));
    }
}
