namespace OrleansWallet.Ledger.Resilience;

/// <summary>
/// A dependency could not serve the call: its breaker is open, the call timed out, or it failed
/// transiently on every retry. Callers map this to gRPC Unavailable; the operation may be retried.
/// </summary>
public sealed class DependencyUnavailableException : Exception
{
    public DependencyUnavailableException(string dependency, string reason, Exception? inner = null)
        : base($"{dependency} unavailable: {reason}", inner)
    {
        Dependency = dependency;
        Reason = reason;
    }

    public string Dependency { get; }

    /// <summary>One of <see cref="Reasons"/>.</summary>
    public string Reason { get; }

    public static class Reasons
    {
        public const string CircuitOpen = "circuit_open";
        public const string Timeout = "timeout";
        public const string TransientFailure = "transient_failure";

        /// <summary>The ledger's schema is not migrated yet (Postgres was unreachable since start).</summary>
        public const string SchemaNotReady = "schema_not_ready";
    }
}
