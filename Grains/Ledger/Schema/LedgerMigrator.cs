using DbUp;
using DbUp.Postgresql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansWallet.Ledger.Schema;

/// <summary>
/// Applies the SQL scripts embedded under Schema/Scripts in name order, each once; applied
/// scripts are recorded in <c>public.schemaversions</c>, so a second run does nothing.
/// </summary>
public sealed class LedgerMigrator(NpgsqlDataSource dataSource, ILogger<LedgerMigrator> logger)
{
    // Any fixed number all silos agree on: it serialises silos that start together.
    private const long MigrationLockKey = 0x4F57_4C45_4447_4552; // "OWLEDGER"
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(2);
    private const string ScriptFolder = ".Schema.Scripts.";

    /// <summary>Applies pending scripts; returns the names of those applied by this call.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        // DbUp cannot lock, so hold a session advisory lock on a connection of our own meanwhile.
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", MigrationLockKey);
            take.CommandTimeout = (int)ScriptTimeout.TotalSeconds;
            await take.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            var result = await Task.Run(() => Engine().PerformUpgrade(), cancellationToken);
            if (!result.Successful)
                throw new InvalidOperationException(
                    $"ledger schema migration failed in {result.ErrorScript?.Name ?? "(no script)"}", result.Error);
            var applied = result.Scripts.Select(s => s.Name).ToList();
            logger.LogInformation("Ledger schema: applied {Count} migration(s) {Scripts}", applied.Count, applied);
            return applied;
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Whether every embedded script is applied (for a host that leaves migration to someone
    /// else and waits for it). Throws like any query if Postgres cannot be reached.
    /// </summary>
    public async Task<bool> IsSchemaCurrentAsync(CancellationToken cancellationToken = default)
    {
        // DbUp's journal query opens its own connection: check reachability first, cancellably.
        await using (var probe = await dataSource.OpenConnectionAsync(cancellationToken)) { }
        return await Task.Run(() => !Engine().IsUpgradeRequired(), cancellationToken);
    }

    /// <summary>Names of the scripts already applied to the database, in order.</summary>
    public IReadOnlyList<string> GetAppliedMigrations() => Engine().GetExecutedScripts();

    private DbUp.Engine.UpgradeEngine Engine() =>
        DeployChanges.To
            .PostgresqlDatabase(new PostgresqlConnectionManager(dataSource))
            .WithScriptsEmbeddedInAssembly(typeof(LedgerMigrator).Assembly, name => name.Contains(ScriptFolder))
            .WithVariablesDisabled()
            .WithTransactionPerScript()
            .WithExecutionTimeout(ScriptTimeout)
            .JournalToPostgresqlTable("public", "schemaversions")
            .LogTo(logger)
            .Build();
}
