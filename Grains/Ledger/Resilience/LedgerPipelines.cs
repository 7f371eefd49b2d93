using Microsoft.Extensions.Options;
using OrleansWallet.Ledger.Metrics;
using OrleansWallet.Ledger.Schema;

namespace OrleansWallet.Ledger.Resilience;

/// <summary>The one pipeline per dependency, shared by every caller so they share one breaker.</summary>
public sealed class LedgerPipelines : IDependencyHealth
{
    public LedgerPipelines(IOptions<ResilienceOptions> options, LedgerMetrics metrics, LedgerSchemaGate schemaGate)
    {
        SchemaGate = schemaGate;
        Postgres = new DependencyPipeline(DependencyNames.Postgres, options.Value.Postgres, metrics, schemaGate);
        Redis = new DependencyPipeline(DependencyNames.Redis, options.Value.Redis, metrics);
        metrics.ObserveBreakers(() => BreakerStates);
    }

    public DependencyPipeline Postgres { get; }

    /// <summary>Whether Postgres calls may go ahead at all (the schema is in place).</summary>
    public LedgerSchemaGate SchemaGate { get; }
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
