using Npgsql;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests.Security;

/// <summary>
/// One silo (auth on, as always) for the security tests. Users' rate limit is raised so the
/// fuzzer and the matrix are never throttled; one named principal keeps a tiny limit for the
/// rate-limit tests.
/// </summary>
public sealed class SecurityFixture : IAsyncLifetime
{
    /// <summary>An operator principal whose named bucket is tiny: 3 calls at once, then 2 a second.</summary>
    public const string ThrottledOperator = "throttled-operator";
    public const int ThrottledBurst = 3;

    public WalletCluster Cluster { get; private set; } = null!;

    /// <summary>The operator-and-admin SDK channel the tests set users up with.</summary>
    public WalletChannel Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await WalletCluster.StartAsync(silos: 1, new Dictionary<string, string?>
        {
            ["RateLimits__User__PermitsPerSecond"] = "1000000",
            ["RateLimits__User__Burst"] = "1000000",
            ["RateLimits__Admin__PermitsPerSecond"] = "1000000",
            ["RateLimits__Admin__Burst"] = "1000000",
            [$"RateLimits__Principals__{ThrottledOperator}__PermitsPerSecond"] = "2",
            [$"RateLimits__Principals__{ThrottledOperator}__Burst"] = ThrottledBurst.ToString(),
        });
        Admin = Cluster.Channel(0);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    public async Task<NpgsqlConnection> OpenLedgerDatabaseAsync()
    {
        var connection = new NpgsqlConnection(Cluster.LedgerConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}

[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<SecurityFixture>
{
    public const string Name = "security";
}
