using OrleansWallet.Ledger.Reference;
using OrleansWallet.Ledger.Resilience;
using OrleansWallet.TestSupport;

namespace OrleansWallet.Ledger.Tests;

[Collection(PostgresCollection.Name)]
public class ReferenceCacheTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan PollDeadline = TimeSpan.FromSeconds(30);
    private RedisServer _redis = null!;
    private bool _redisStopped; // RedisServer.DisposeAsync may not be called twice
    private LedgerHost _ledger = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _ledger = await LedgerHost.StartAsync(await postgres.NewDatabaseAsync(), _redis.Endpoint);
        await _ledger.Reference.UpsertAssetAsync(new Asset("ETH", "ethereum", 18, null, true));
        await _ledger.Reference.UpsertUserAsync(new UserProfile("alice", 1));
    }

    public async Task DisposeAsync()
    {
        await _ledger.DisposeAsync();
        if (!_redisStopped) await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_second_read_is_a_hit_and_does_not_ask_postgres()
    {
        using var metrics = new MetricsProbe(_ledger.Services);
        long PostgresCalls() => metrics.Count("ledger.dependency.duration", DependencyNames.Postgres);
        var (hits, misses) = (_ledger.Metrics.CacheHits, _ledger.Metrics.CacheMisses);

        Assert.Equal(18, (await _ledger.Reference.GetAssetAsync("ETH"))!.Decimals);
        Assert.Equal((hits, misses + 1), (_ledger.Metrics.CacheHits, _ledger.Metrics.CacheMisses));
        Assert.Equal(1, PostgresCalls());

        // Changed behind the library's back: a read that still sees 18 was served by Redis.
        await _ledger.ExecuteSqlAsync("UPDATE assets SET decimals = 6 WHERE symbol = 'ETH'");
        Assert.Equal(18, (await _ledger.Reference.GetAssetAsync("ETH"))!.Decimals);
        Assert.Equal((hits + 1, misses + 1), (_ledger.Metrics.CacheHits, _ledger.Metrics.CacheMisses));
        Assert.Equal(1, PostgresCalls());
        Assert.Equal(0.5, _ledger.Metrics.CacheHitRatio, precision: 3);
    }

    [Fact]
    public async Task A_change_through_reference_data_invalidates_so_the_next_read_is_a_miss_with_the_new_data()
    {
        await _ledger.Reference.GetAssetAsync("ETH");
        await _ledger.Reference.GetUserAsync("alice");
        Assert.False(await _ledger.Reference.IsAllowlistedAsync("alice", "ethereum", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));

        await _ledger.Reference.UpsertAssetAsync(new Asset("ETH", "ethereum", 18, null, Enabled: false));
        await _ledger.Reference.UpsertUserAsync(new UserProfile("alice", 2));
        await _ledger.Reference.AddToAllowlistAsync("alice", "ethereum", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");

        var misses = _ledger.Metrics.CacheMisses;
        Assert.False((await _ledger.Reference.GetAssetAsync("ETH"))!.Enabled);
        Assert.Equal(2, (await _ledger.Reference.GetUserAsync("alice"))!.KycTier);
        // Any spelling of the same address matches the normalised allow-list entry.
        Assert.True(await _ledger.Reference.IsAllowlistedAsync("alice", "ethereum", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"));
        Assert.Equal(misses + 3, _ledger.Metrics.CacheMisses);

        await _ledger.Reference.RemoveFromAllowlistAsync("alice", "ethereum", "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED");
        Assert.False(await _ledger.Reference.IsAllowlistedAsync("alice", "ethereum", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"));
    }

    [Fact]
    public async Task Limits_are_cached_and_a_user_override_beats_the_tier()
    {
        var alice = new UserProfile("alice", 1);
        Assert.Null(await _ledger.Reference.GetDailyWithdrawalLimitAsync(alice, "ETH"));
        await _ledger.Reference.SetTierLimitAsync(1, "ETH", 1000);
        Assert.Equal(1000, (int)(await _ledger.Reference.GetDailyWithdrawalLimitAsync(alice, "ETH"))!.Value);
        await _ledger.Reference.SetUserLimitOverrideAsync("alice", "ETH", 5);
        Assert.Equal(5, (int)(await _ledger.Reference.GetDailyWithdrawalLimitAsync(alice, "ETH"))!.Value);
        await _ledger.Reference.SetUserLimitOverrideAsync("alice", "ETH", null);
        var hits = _ledger.Metrics.CacheHits;
        Assert.Equal(1000, (int)(await _ledger.Reference.GetDailyWithdrawalLimitAsync(alice, "ETH"))!.Value);
        Assert.Equal(hits + 1, _ledger.Metrics.CacheHits); // the tier limit was still cached; the override was not
    }

    [Fact]
    public async Task With_redis_stopped_reads_come_from_postgres_and_the_redis_breaker_opens()
    {
        Assert.Equal(18, (await _ledger.Reference.GetAssetAsync("ETH"))!.Decimals);
        await _redis.DisposeAsync();
        _redisStopped = true;

        // Written while Redis is down: the stale key cannot be deleted, yet reads must not return it.
        await _ledger.ExecuteSqlAsync("UPDATE assets SET decimals = 8 WHERE symbol = 'ETH'");
        var errors = _ledger.Metrics.CacheErrors;
        var started = DateTime.UtcNow;
        while (_ledger.Pipelines.GetBreakerState(DependencyNames.Redis) != BreakerState.Open)
        {
            Assert.True(DateTime.UtcNow - started < PollDeadline, "redis breaker did not open");
            Assert.Equal(8, (await _ledger.Reference.GetAssetAsync("ETH"))!.Decimals);
            Assert.Equal("alice", (await _ledger.Reference.GetUserAsync("alice"))!.UserId);
        }
        Assert.True(_ledger.Metrics.CacheErrors > errors);
        Assert.Equal(BreakerState.Closed, _ledger.Pipelines.GetBreakerState(DependencyNames.Postgres));

        // Open breaker: Redis is not even tried, and reads still work.
        Assert.Equal(8, (await _ledger.Reference.GetAssetAsync("ETH"))!.Decimals);
    }
}
