using Npgsql;

namespace OrleansWallet.Ledger.Postgres;

public static class LedgerDataSource
{
    // Comfortably more than the ledger's distinct statements (about 25), so none is evicted.
    private const int AutoPreparedStatementsMax = 64;

    /// <summary>Builds the one data source (and so the one pool) the ledger uses, with the options' pool settings.</summary>
    public static NpgsqlDataSource Create(PostgresOptions options)
    {
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        var settings = builder.ConnectionStringBuilder;
        settings.MaxPoolSize = options.MaximumPoolSize;
        settings.MinPoolSize = options.MinimumPoolSize;
        settings.ConnectionLifetime = options.ConnectionLifetimeSeconds;
        settings.CommandTimeout = options.CommandTimeoutSeconds;
        // The ledger runs a few statements very often (journal append, limit reads): preparing
        // them once per connection saves the planning on every call.
        if (settings.MaxAutoPrepare == 0) settings.MaxAutoPrepare = AutoPreparedStatementsMax;
        return builder.Build();
    }
}
