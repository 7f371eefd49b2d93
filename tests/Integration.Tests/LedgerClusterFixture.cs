using Npgsql;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// One silo with its own Postgres for the ledger tests (one silo: the outage test reasons about
/// one silo's circuit breaker). The breaker's break is short so recovery after Postgres returns
/// takes seconds, not the production 30 s.
/// </summary>
public sealed class LedgerClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);

    public WalletCluster Cluster { get; private set; } = null!;
    public WalletChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await WalletCluster.StartAsync(silos: 1, new Dictionary<string, string?>
        {
            ["Ledger__Resilience__Postgres__BreakDuration"] = BreakDuration.ToString("c"),
        });
        Channel = Cluster.Channel(0);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public Task WaitUntilJournaledAsync(params string[] userIds) => Journaled.WaitAsync(Channel, userIds);

    public async Task<NpgsqlConnection> OpenLedgerDatabaseAsync()
    {
        var connection = new NpgsqlConnection(Cluster.LedgerConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}

[CollectionDefinition(Name)]
public sealed class LedgerClusterCollection : ICollectionFixture<LedgerClusterFixture>
{
    public const string Name = "ledger cluster";
}
