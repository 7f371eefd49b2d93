using OrleansWallet.Client;
using OrleansWallet.TestSupport;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// A real cluster for a test: its own redis-server and N silo processes joined through Redis
/// clustering, plus an SDK channel to each silo's gRPC endpoint.
/// </summary>
public sealed class WalletCluster : IAsyncDisposable
{
    private readonly List<SiloProcess> _silos = [];
    private readonly List<WalletChannel> _channels = [];

    private WalletCluster(RedisServer redis, string clusterId)
    {
        Redis = redis;
        ClusterId = clusterId;
    }

    public RedisServer Redis { get; }
    public string ClusterId { get; }
    public IReadOnlyList<SiloProcess> Silos => _silos;

    public static async Task<WalletCluster> StartAsync(int silos, IDictionary<string, string?>? settings = null)
    {
        var redis = await RedisServer.StartAsync();
        var cluster = new WalletCluster(redis, "test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            await cluster.StartSilosAsync(silos, settings);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public async Task StartSilosAsync(int count, IDictionary<string, string?>? settings = null)
    {
        for (var i = 0; i < count; i++)
            _silos.Add(await SiloProcess.StartAsync(ClusterId, Redis.Endpoint, settings));
    }

    /// <summary>An SDK channel to silo <paramref name="index"/>; short retries so tests of failure stay fast.</summary>
    public WalletChannel Channel(int index = 0)
    {
        var channel = new WalletChannel(new WalletClientOptions
        {
            Address = new Uri(_silos[index].GrpcAddress),
            Deadline = TimeSpan.FromSeconds(15),
        });
        _channels.Add(channel);
        return channel;
    }

    /// <summary>
    /// Replaces a silo (stopped or crashed) with a new process on the same addresses, as a
    /// restarted process would come back; <paramref name="overrides"/> change its settings.
    /// </summary>
    public async Task<SiloProcess> RestartSiloAsync(int index, IDictionary<string, string?>? overrides = null)
    {
        var old = _silos[index];
        await old.DisposeAsync();
        var successor = await SiloProcess.RestartAsync(old, overrides);
        _silos[index] = successor;
        return successor;
    }

    /// <summary>Stops all silos and starts each again on its own addresses.</summary>
    public async Task RestartAllSilosAsync()
    {
        foreach (var silo in _silos) await silo.StopAsync();
        for (var i = 0; i < _silos.Count; i++) await RestartSiloAsync(i);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels) channel.Dispose();
        foreach (var silo in _silos) await silo.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
