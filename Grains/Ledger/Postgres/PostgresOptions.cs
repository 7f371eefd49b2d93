using System.ComponentModel.DataAnnotations;

namespace OrleansWallet.Ledger.Postgres;

/// <summary>
/// Where the ledger database is and how its connection pool behaves. Pool settings here win over
/// the same keys in <see cref="ConnectionString"/>, so the connection string carries only host,
/// database and credentials. The pool is per silo, and every silo of a cluster shares one
/// Postgres' max_connections: budget silos × <see cref="MaximumPoolSize"/> ≤ max_connections minus
/// what superusers and operators keep (the run script and the Helm chart compute it). 20 is far more
/// than one silo uses (its journal writer holds one connection) and leaves room for four silos on a
/// default Postgres; lifetime and timeout are the operations guide's (5 min, 3 s).
/// </summary>
public sealed class PostgresOptions
{
    public const string SectionName = "Postgres";

    /// <summary>Npgsql connection string. Npgsql 10 rejects <c>Max Pool Size=</c>; use the fields below.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ConnectionString { get; set; } = "";

    // 1000 is far above what one Postgres server serves well; a bigger number is a typo.
    [Range(1, 1000)]
    public int MaximumPoolSize { get; set; } = 20;

    [Range(0, 1000)]
    public int MinimumPoolSize { get; set; } = 2;

    /// <summary>Connections are recycled after this long so fail-overs and DNS changes are picked up.</summary>
    [Range(1, 86_400)]
    public int ConnectionLifetimeSeconds { get; set; } = 300;

    /// <summary>Server-side command timeout; the resilience pipeline's timeout is the client-side bound.</summary>
    [Range(1, 600)]
    public int CommandTimeoutSeconds { get; set; } = 3;

    /// <summary>Apply pending schema migrations when the host starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
