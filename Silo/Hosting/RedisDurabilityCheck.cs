using StackExchange.Redis;

namespace OrleansWallet.Silo.Hosting;

/// <summary>
/// Reads, once at start and off the start path, how the grain-state Redis persists writes and
/// warns when it is weaker than <see cref="RedisHostOptions.ExpectedAppendFsync"/>: with
/// <c>appendfsync everysec</c> a host crash loses up to a second of acknowledged balance changes
/// whose journal entries Postgres may already hold. A Redis that refuses CONFIG (managed services
/// often do) is reported as unverified.
/// </summary>
internal sealed class RedisDurabilityCheck(IConfiguration configuration, ILogger<RedisDurabilityCheck> logger) : BackgroundService
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var redis = RedisHostOptions.From(configuration);
        if (redis.ExpectedAppendFsync == "any") return;
        try
        {
            var options = redis.ConnectionOptions("orleans-wallet-durability-check");
            options.ConnectTimeout = (int)ConnectTimeout.TotalMilliseconds;
            options.AllowAdmin = true; // CONFIG GET only
            await using var connection = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(ConnectTimeout, stoppingToken);
            foreach (var endpoint in connection.GetEndPoints())
            {
                var server = connection.GetServer(endpoint);
                if (!server.IsConnected || server.IsReplica) continue;
                var settings = (await server.ConfigGetAsync("append*").WaitAsync(ConnectTimeout, stoppingToken))
                    .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
                var appendOnly = settings.GetValueOrDefault("appendonly", "?");
                var fsync = appendOnly == "yes" ? settings.GetValueOrDefault("appendfsync", "?") : "no";
                if (Rank(fsync) < Rank(redis.ExpectedAppendFsync))
                    logger.LogWarning(
                        "Redis {Endpoint} persists with appendonly={AppendOnly} appendfsync={Fsync}, weaker than the expected {Expected}: " +
                        "a host crash can lose acknowledged balance changes (Redis:ExpectedAppendFsync; see README, Redis durability)",
                        endpoint, appendOnly, fsync, redis.ExpectedAppendFsync);
                else
                    logger.LogInformation("Redis {Endpoint} persists with appendfsync={Fsync}", endpoint, fsync);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogInformation("Could not verify Redis persistence settings ({Error}); expected appendfsync {Expected}",
                ex.Message, redis.ExpectedAppendFsync);
        }
    }

    private static int Rank(string fsync) => fsync switch
    {
        "always" => 2,
        "everysec" => 1,
        _ => 0,
    };
}
