using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Ledger.Metrics;
using OrleansWallet.Ledger.Postgres;
using OrleansWallet.Ledger.Reference;
using OrleansWallet.Ledger.Resilience;
using OrleansWallet.Ledger.Schema;
using OrleansWallet.Ledger.Withdrawals;

namespace OrleansWallet.Ledger.Hosting;

public static class LedgerServiceCollectionExtensions
{
    // The ledger's data source is keyed so it cannot collide with another NpgsqlDataSource the host registers.
    private const string DataSourceKey = "OrleansWallet.Ledger";

    /// <summary>
    /// Registers the ledger from a configuration section with subsections "Postgres"
    /// (<see cref="PostgresOptions"/>), "Cache" (<see cref="ReferenceCacheOptions"/>) and
    /// "Resilience" (<see cref="ResilienceOptions"/>, optional). Options are validated at start.
    /// </summary>
    public static IServiceCollection AddLedger(this IServiceCollection services, IConfiguration ledgerSection) =>
        services.AddLedgerCore(
            postgres => postgres.Bind(ledgerSection.GetSection(PostgresOptions.SectionName)),
            cache => cache.Bind(ledgerSection.GetSection(ReferenceCacheOptions.SectionName)),
            resilience => resilience.Bind(ledgerSection.GetSection(ResilienceOptions.SectionName)));

    /// <summary>Registers the ledger configured in code. Options are validated at start.</summary>
    public static IServiceCollection AddLedger(this IServiceCollection services, Action<PostgresOptions> configurePostgres,
        Action<ReferenceCacheOptions> configureCache, Action<ResilienceOptions>? configureResilience = null) =>
        services.AddLedgerCore(
            postgres => postgres.Configure(configurePostgres),
            cache => cache.Configure(configureCache),
            resilience => resilience.Configure(configureResilience ?? (_ => { })));

    private static IServiceCollection AddLedgerCore(this IServiceCollection services,
        Action<OptionsBuilder<PostgresOptions>> postgres, Action<OptionsBuilder<ReferenceCacheOptions>> cache,
        Action<OptionsBuilder<ResilienceOptions>> resilience)
    {
        postgres(services.AddOptions<PostgresOptions>().ValidateDataAnnotations().ValidateOnStart());
        cache(services.AddOptions<ReferenceCacheOptions>().ValidateDataAnnotations().ValidateOnStart());
        resilience(services.AddOptions<ResilienceOptions>().ValidateOnStart());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresOptions>, PostgresOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResilienceOptions>, ResilienceOptionsValidator>());

        services.AddMetrics();
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);

        services.AddKeyedSingleton<NpgsqlDataSource>(DataSourceKey,
            (sp, _) => LedgerDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value));
        services.TryAddSingleton<LedgerMetrics>();
        services.TryAddSingleton<LedgerSchemaGate>();
        services.TryAddSingleton<LedgerPipelines>();
        services.TryAddSingleton<IDependencyHealth>(sp => sp.GetRequiredService<LedgerPipelines>());

        services.TryAddSingleton(sp => new LedgerMigrator(DataSource(sp), sp.GetRequiredService<ILogger<LedgerMigrator>>()));
        services.TryAddSingleton(sp => new LedgerJournal(DataSource(sp), sp.GetRequiredService<LedgerPipelines>()));
        services.TryAddSingleton(sp => new ReferenceStore(DataSource(sp), sp.GetRequiredService<LedgerPipelines>()));
        services.TryAddSingleton<ReferenceCache>();
        services.TryAddSingleton(sp => new ReferenceData(sp.GetRequiredService<ReferenceStore>(), sp.GetRequiredService<ReferenceCache>()));
        services.TryAddSingleton(sp => new WithdrawalStore(DataSource(sp), sp.GetRequiredService<LedgerPipelines>()));
        services.TryAddSingleton(sp => new WithdrawalPolicy(sp.GetRequiredService<ReferenceData>(),
            sp.GetRequiredService<WithdrawalStore>(), sp.GetRequiredService<TimeProvider>()));
        // Migration and start-up tasks run in the background; the gate keeps Postgres calls out until they are done.
        services.TryAddSingleton<LedgerStartupService>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerStartupService>());
        return services;
    }

    private static NpgsqlDataSource DataSource(IServiceProvider services) =>
        services.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey);
}
