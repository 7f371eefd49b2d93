namespace OrleansWallet.Ledger.Resilience;

/// <summary>A dependency's circuit breaker, as health checks and the metrics gauge report it (the gauge uses these values).</summary>
public enum BreakerState
{
    Closed = 0,
    HalfOpen = 1,
    Open = 2,
}
