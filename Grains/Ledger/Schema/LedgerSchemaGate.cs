namespace OrleansWallet.Ledger.Schema;

/// <summary>
/// Whether the ledger's schema is in place (migrated, reference data seeded), so that a call to
/// Postgres can succeed. Every Postgres call of the ledger consults it (through the Postgres
/// <see cref="Resilience.DependencyPipeline"/>): while it is closed a call fails at once with
/// <see cref="Resilience.DependencyUnavailableException"/> (reason <c>schema_not_ready</c>)
/// instead of reaching a database whose tables do not exist yet and failing as an internal error.
/// </summary>
/// <remarks>
/// Open by default, so a host that migrates by hand before it uses the ledger (a tool, a test)
/// needs nothing more. A host that runs the ledger's hosted services gets it closed by
/// <see cref="Hosting.LedgerStartupService"/> until that service's background work (migration,
/// start-up tasks such as asset seeding) has succeeded, which may be long after the host started
/// if Postgres is down.
/// </remarks>
public sealed class LedgerSchemaGate
{
    public const string NotReadyReason = Resilience.DependencyUnavailableException.Reasons.SchemaNotReady;

    // Lets the start-up work itself through while the gate is closed: it is what opens it.
    private static readonly AsyncLocal<bool> Admitted = new();

    private volatile bool _open = true;

    public bool IsOpen => _open;

    /// <summary>Whether a Postgres call made here and now may go ahead.</summary>
    public bool Admits => _open || Admitted.Value;

    public void Close() => _open = false;

    public void Open() => _open = true;

    /// <summary>
    /// Lets the calls made in the current async flow through a closed gate until the returned
    /// scope is disposed (the start-up tasks that must run before anything else may use the schema).
    /// </summary>
    public IDisposable AdmitStartupWork()
    {
        Admitted.Value = true;
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        public void Dispose() => Admitted.Value = false;
    }
}
