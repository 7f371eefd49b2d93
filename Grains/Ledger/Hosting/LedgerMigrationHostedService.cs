using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansWallet.Ledger.Postgres;
using OrleansWallet.Ledger.Schema;

namespace OrleansWallet.Ledger.Hosting;

/// <summary>
/// Brings the schema up to date before the host serves anything. Registered by AddLedger; hosted
/// services start in registration order, so call AddLedger before the Orleans silo is added.
/// </summary>
internal sealed class LedgerMigrationHostedService(LedgerMigrator migrator, IOptions<PostgresOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStartup) await migrator.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
