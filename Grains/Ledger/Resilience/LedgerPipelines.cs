using Microsoft.Extensions.Options;
using OrleansWallet.Ledger.Metrics;

namespace OrleansWallet.Ledger.Resilience;

/// <summary>The one pipeline per dependency, shared by every caller so they share one breaker.</summary>
public sealed class LedgerPipelines : IDependencyHealth
{
    public LedgerPipelines(IOptions<ResilienceOptions> options, LedgerMetrics metrics)
    {
        Postgres = new DependencyPipeline(DependencyNames.Postgres, options.Value.Postgres, metrics);
        Redis = new DependencyPipeline(DependencyNames.Redis, options.Value.Redis, metrics);
        metrics.ObserveBreakers(() => BreakerStates);
    }

    public DependencyPipeline Postgres { get; }
    public DependencyPipeline Redis { get; }

    public IReadOnlyDictionary<string, BreakerState> BreakerStates => new Dictionary<string, BreakerState>
    {
        [DependencyNames.Postgres] = Postgres.BreakerState,
        [DependencyNames.Redis] = Redis.BreakerState,
    };

    public BreakerState GetBreakerState(string dependency) => dependency switch
    {
        DependencyNames.Postgres => Postgres.BreakerState,
        DependencyNames.Redis => Redis.BreakerState,
        _ => throw new ArgumentException($"unknown dependency '{dependency}'", nameof(dependency)),
    };
}
