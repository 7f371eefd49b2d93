using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OrleansWallet.Storage;

/// <summary>
/// One multiplexed connection per silo for the grains' side data, opened asynchronously when the
/// host starts (before the silo, so before any grain needs it): connecting lazily on a grain's
/// first call blocked thread-pool threads and starved a cold silo for seconds. It keeps
/// reconnecting, so a silo starts while Redis is down and recovers when it is back; commands
/// meanwhile fail, and the grains answer storage_unavailable as for a failed state write.
/// </summary>
public sealed class WalletRedis(IOptions<WalletRedisOptions> options) : IHostedService, IAsyncDisposable
{
    private ConnectionMultiplexer? _connection;

    public string KeyPrefix { get; } = options.Value.KeyPrefix;

    public IDatabase Database =>
        (_connection ?? throw new InvalidOperationException("the wallet Redis connection is not open yet")).GetDatabase();

    public RedisKey Key(string suffix) => KeyPrefix + suffix;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configuration = ConfigurationOptions.Parse(options.Value.Configuration);
        configuration.AbortOnConnectFail = false;
        // As for grain state (Silo/Hosting/OrleansHosting.cs): completions on the .NET thread pool.
        configuration.SocketManager = SocketManager.ThreadPool;
        _connection = await ConnectionMultiplexer.ConnectAsync(configuration);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}
