namespace OrleansWallet.Integration.Tests;

/// <summary>A two-silo cluster shared by the tests that do not restart it; they use fresh user ids.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public WalletCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await WalletCluster.StartAsync(silos: 2);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "shared two-silo cluster";
}

internal static class Ids
{
    public static string User(string role) => $"{role}-{Guid.NewGuid():N}"[..24];
    public static string Key(string kind) => $"{kind}-{Guid.NewGuid():N}";
}
