using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansWallet.Ledger.Metrics;
using OrleansWallet.Ledger.Resilience;
using StackExchange.Redis;

namespace OrleansWallet.Ledger.Reference;

/// <summary>
/// Cache-aside over Redis. The cache is an optimisation, never the source of truth: any Redis
/// failure (or its open breaker) is a miss, and the value comes from the loader (Postgres).
/// </summary>
internal sealed class ReferenceCache : IAsyncDisposable
{
    // Long enough for a local or in-cluster Redis, short enough that a dead one costs little at start.
    private const int ConnectTimeoutMs = 1000;

    private readonly ReferenceCacheOptions _options;
    private readonly DependencyPipeline _redis;
    private readonly LedgerMetrics _metrics;
    private readonly ILogger<ReferenceCache> _logger;
    private readonly Lock _connectionLock = new();
    private Task<ConnectionMultiplexer>? _connection;

    public ReferenceCache(IOptions<ReferenceCacheOptions> options, LedgerPipelines pipelines, LedgerMetrics metrics,
        ILogger<ReferenceCache> logger)
    {
        _options = options.Value;
        _redis = pipelines.Redis;
        _metrics = metrics;
        _logger = logger;
    }

    public TimeSpan VolatileTtl => _options.VolatileTtl;
    public TimeSpan StableTtl => _options.StableTtl;
    public TimeSpan ReferenceTtl => _options.ReferenceTtl;

    // One multiplexer for the process; a connect that threw (bad configuration, DNS) is tried
    // again on the next call instead of failing every read for the life of the silo.
    private Task<ConnectionMultiplexer> Connection()
    {
        lock (_connectionLock)
        {
            if (_connection is null || _connection.IsFaulted || _connection.IsCanceled) _connection = ConnectAsync();
            return _connection;
        }
    }

    private Task<ConnectionMultiplexer> ConnectAsync()
    {
        var configuration = ConfigurationOptions.Parse(_options.RedisConfiguration);
        // Keep retrying in the background if Redis is down at start; never queue commands while
        // disconnected: a failed cache read should fall through to Postgres at once.
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = ConnectTimeoutMs;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        return ConnectionMultiplexer.ConnectAsync(configuration);
    }

    /// <param name="kind">Metric tag: what is cached (asset, user, limit, allowlist).</param>
    public async Task<T?> GetOrLoadAsync<T>(string kind, string key, TimeSpan ttl,
        Func<CancellationToken, Task<T?>> load, CancellationToken cancellationToken) where T : class
    {
        var redisKey = _options.KeyPrefix + key;
        var cached = await TryRedisAsync(kind, "cache.get", async (db, token) =>
            (string?)await db.StringGetAsync(redisKey).WaitAsync(token), cancellationToken);
        if (cached is not null && Deserialize<T>(kind, cached) is { } hit)
        {
            _metrics.RecordCacheHit(kind);
            return hit;
        }

        _metrics.RecordCacheMiss(kind);
        var loaded = await load(cancellationToken);
        // Not-found is not cached: a row added later must be seen without waiting for a TTL.
        if (loaded is not null)
        {
            var json = JsonSerializer.Serialize(loaded);
            await TryRedisAsync(kind, "cache.set", async (db, token) =>
                await db.StringSetAsync(redisKey, json, ttl).WaitAsync(token), cancellationToken);
        }
        return loaded;
    }

    /// <summary>Deletes keys after their data changed. Best effort: if Redis is down, the TTL bounds staleness.</summary>
    public async Task InvalidateAsync(string kind, string key, CancellationToken cancellationToken)
    {
        var redisKey = _options.KeyPrefix + key;
        var deleted = await TryRedisAsync(kind, "cache.delete", async (db, token) =>
            (bool?)await db.KeyDeleteAsync(redisKey).WaitAsync(token), cancellationToken);
        if (deleted is null)
            _logger.LogWarning("Could not invalidate cache key {Key}; it expires within its TTL", redisKey);
    }

    private async Task<TResult?> TryRedisAsync<TResult>(string kind, string operation,
        Func<IDatabase, CancellationToken, Task<TResult?>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await _redis.ExecuteAsync(operation, async token =>
            {
                var connection = await Connection().WaitAsync(token);
                return await call(connection.GetDatabase(), token);
            }, cancellationToken);
        }
        catch (Exception e) when (e is DependencyUnavailableException or RedisException && !cancellationToken.IsCancellationRequested)
        {
            _metrics.RecordCacheError(kind);
            _logger.LogDebug(e, "Redis {Operation} failed; using Postgres", operation);
            return default;
        }
    }

    private T? Deserialize<T>(string kind, string json) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json);
        }
        catch (JsonException e)
        {
            // A value written by another version of this type: treat as a miss and overwrite it.
            _metrics.RecordCacheError(kind);
            _logger.LogWarning(e, "Unreadable {Kind} cache entry", kind);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connection;
        lock (_connectionLock) connection = _connection;
        if (connection is null) return;
        try { await (await connection).DisposeAsync(); }
        catch (RedisException) { /* the connect itself failed: nothing to close */ }
    }
}
