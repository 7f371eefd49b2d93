namespace OrleansWallet.Ledger.Resilience;

/// <summary>The breaker state of each dependency the ledger calls, for health endpoints and dashboards.</summary>
public interface IDependencyHealth
{
    /// <summary>Keyed by <see cref="DependencyNames"/>.</summary>
    IReadOnlyDictionary<string, BreakerState> BreakerStates { get; }

    BreakerState GetBreakerState(string dependency);
}
