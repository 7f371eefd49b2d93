namespace OrleansWallet.Ledger.Resilience;

/// <summary>Names used in exceptions, health and metric tags.</summary>
public static class DependencyNames
{
    public const string Postgres = "postgres";
    public const string Redis = "redis";
}
