using Npgsql;

namespace OrleansWallet.Ledger.Postgres;

public static class LedgerDataSource
{
    /// <summary>Builds the one data source (and so the one pool) the ledger uses, with the options' pool settings.</summary>
    public static NpgsqlDataSource Create(PostgresOptions options)
    {
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        var settings = builder.ConnectionStringBuilder;
        settings.MaxPoolSize = options.MaximumPoolSize;
        settings.MinPoolSize = options.MinimumPoolSize;
        settings.ConnectionLifetime = options.ConnectionLifetimeSeconds;
        settings.CommandTimeout = options.CommandTimeoutSeconds;
        return builder.Build();
    }
}
