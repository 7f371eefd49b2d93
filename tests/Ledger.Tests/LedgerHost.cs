using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrleansWallet.Ledger.Hosting;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Ledger.Metrics;
using OrleansWallet.Ledger.Reference;
using OrleansWallet.Ledger.Resilience;
using OrleansWallet.Ledger.Schema;
using OrleansWallet.Ledger.Withdrawals;

namespace OrleansWallet.Ledger.Tests;

/// <summary>The ledger wired through AddLedger against a real database, migrated, as a silo would have it.</summary>
public sealed class LedgerHost : IAsyncDisposable
{
    // Nothing listens on port 1: tests that do not read reference data need no Redis.
    public const string NoRedis = "127.0.0.1:1";

    private LedgerHost(ServiceProvider services, string connectionString)
    {
        Services = services;
        ConnectionString = connectionString;
    }

    public ServiceProvider Services { get; }
    public string ConnectionString { get; }
    public LedgerJournal Journal => Services.GetRequiredService<LedgerJournal>();
    public ReferenceData Reference => Services.GetRequiredService<ReferenceData>();
    public WithdrawalPolicy Policy => Services.GetRequiredService<WithdrawalPolicy>();
    public LedgerPipelines Pipelines => Services.GetRequiredService<LedgerPipelines>();
    public LedgerMetrics Metrics => Services.GetRequiredService<LedgerMetrics>();

    public static async Task<LedgerHost> StartAsync(string connectionString, string redis = NoRedis,
        Action<ResilienceOptions>? resilience = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null) services.AddSingleton(time);
        services.AddLedger(
            postgres => postgres.ConnectionString = connectionString,
            cache => cache.RedisConfiguration = redis,
            resilience);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        await provider.GetRequiredService<LedgerMigrator>().MigrateAsync();
        return new LedgerHost(provider, connectionString);
    }

    /// <summary>Runs SQL directly, behind the library's back (to change data without invalidating the cache).</summary>
    public async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}
