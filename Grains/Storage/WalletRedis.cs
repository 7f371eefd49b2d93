using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OrleansWallet.Storage;

/// <summary>
/// One multiplexed connection per silo for the grains' side data. It connects in the background
/// and keeps reconnecting, so a silo starts while Redis is down and recovers when it is back;
/// commands meanwhile fail, and the grains answer storage_unavailable as for a failed state write.
/// </summary>
public sealed class WalletRedis : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _connection;

    public WalletRedis(IOptions<WalletRedisOptions> options)
    {
        KeyPrefix = options.Value.KeyPrefix;
        var configuration = ConfigurationOptions.Parse(options.Value.Configuration);
        configuration.AbortOnConnectFail = false;
        _connection = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(configuration));
    }

    public string KeyPrefix { get; }

    public IDatabase Database => _connection.Value.GetDatabase();

    public RedisKey Key(string suffix) => KeyPrefix + suffix;

    public void Dispose()
    {
        if (_connection.IsValueCreated) _connection.Value.Dispose();
    }
}
