using System.Diagnostics.Metrics;
using OrleansWallet.Ledger.Resilience;

namespace OrleansWallet.Ledger.Metrics;

/// <summary>
/// Instruments of the "OrleansWallet.Ledger" meter, for the silo's Prometheus exporter:
/// <list type="bullet">
/// <item><c>ledger.dependency.duration</c> (ms histogram; tags dependency, operation, outcome)</item>
/// <item><c>ledger.dependency.retries</c> (counter; tag dependency)</item>
/// <item><c>ledger.breaker.state</c> (gauge 0 closed, 1 half-open, 2 open; tag dependency)</item>
/// <item><c>ledger.cache.hits</c>, <c>ledger.cache.misses</c>, <c>ledger.cache.errors</c> (counters; tag kind)</item>
/// <item><c>ledger.cache.hit_ratio</c> (gauge, hits / (hits + misses) since start)</item>
/// </list>
/// </summary>
public sealed class LedgerMetrics
{
    public const string MeterName = "OrleansWallet.Ledger";

    private readonly Meter _meter;
    private readonly Histogram<double> _dependencyDuration;
    private readonly Counter<long> _dependencyRetries;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _cacheErrors;
    private long _cacheHitCount;
    private long _cacheMissCount;
    private long _cacheErrorCount;

    public LedgerMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _dependencyDuration = _meter.CreateHistogram<double>("ledger.dependency.duration", "ms",
            "Duration of one call to Postgres or Redis through its resilience pipeline, retries included");
        _dependencyRetries = _meter.CreateCounter<long>("ledger.dependency.retries",
            description: "Retries after a transient Postgres or Redis failure");
        _cacheHits = _meter.CreateCounter<long>("ledger.cache.hits", description: "Reference data reads served by Redis");
        _cacheMisses = _meter.CreateCounter<long>("ledger.cache.misses", description: "Reference data reads that went to Postgres");
        _cacheErrors = _meter.CreateCounter<long>("ledger.cache.errors", description: "Redis failures that fell through to Postgres");
        _meter.CreateObservableGauge("ledger.cache.hit_ratio", () => CacheHitRatio,
            description: "Share of reference data reads served by Redis since start");
    }

    public long CacheHits => Interlocked.Read(ref _cacheHitCount);
    public long CacheMisses => Interlocked.Read(ref _cacheMissCount);
    public long CacheErrors => Interlocked.Read(ref _cacheErrorCount);

    public double CacheHitRatio
    {
        get
        {
            var hits = CacheHits;
            var total = hits + CacheMisses;
            return total == 0 ? 0 : (double)hits / total;
        }
    }

    internal void RecordDependencyCall(string dependency, string operation, string outcome, TimeSpan elapsed) =>
        _dependencyDuration.Record(elapsed.TotalMilliseconds,
            new("dependency", dependency), new("operation", operation), new("outcome", outcome));

    internal void RecordRetry(string dependency) =>
        _dependencyRetries.Add(1, new KeyValuePair<string, object?>("dependency", dependency));

    internal void RecordCacheHit(string kind)
    {
        Interlocked.Increment(ref _cacheHitCount);
        _cacheHits.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    internal void RecordCacheMiss(string kind)
    {
        Interlocked.Increment(ref _cacheMissCount);
        _cacheMisses.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    internal void RecordCacheError(string kind)
    {
        Interlocked.Increment(ref _cacheErrorCount);
        _cacheErrors.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    internal void ObserveBreakers(Func<IReadOnlyDictionary<string, BreakerState>> states) =>
        _meter.CreateObservableGauge("ledger.breaker.state",
            () => states().Select(s => new Measurement<int>((int)s.Value, new KeyValuePair<string, object?>("dependency", s.Key))),
            description: "Circuit breaker per dependency: 0 closed, 1 half-open, 2 open");
}
