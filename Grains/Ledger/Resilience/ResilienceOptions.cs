using System.ComponentModel.DataAnnotations;

namespace OrleansWallet.Ledger.Resilience;

/// <summary>One pipeline's settings per dependency the ledger calls.</summary>
public sealed class ResilienceOptions
{
    public const string SectionName = "Resilience";

    /// <summary>Defaults from the operations guide: 3 s timeout, 3 retries, 50% over 10 calls in 10 s, 30 s break.</summary>
    public DependencyResilienceOptions Postgres { get; set; } = new();

    /// <summary>
    /// The cache is an optimisation with Postgres behind it, so it waits less and retries once:
    /// a slow cache must not cost more than the database read it saves.
    /// </summary>
    public DependencyResilienceOptions Redis { get; set; } = new()
    {
        Timeout = TimeSpan.FromMilliseconds(500),
        RetryCount = 1,
    };
}

public sealed class DependencyResilienceOptions
{
    /// <summary>Bound on one attempt (not on the retries together).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Retries after the first attempt, on transient failures only. 10 at most: more only deepens an outage.</summary>
    [Range(0, 10)]
    public int RetryCount { get; set; } = 3;

    /// <summary>First retry delay; doubles per retry, with jitter so callers do not retry in lockstep.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Share of failed calls within <see cref="SamplingDuration"/> that opens the breaker.</summary>
    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls needed in the sampling window before the ratio is trusted (Polly's minimum is 2).</summary>
    [Range(2, 10_000)]
    public int MinimumThroughput { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the breaker stays open before it lets a probe through (half-open).</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:30:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
