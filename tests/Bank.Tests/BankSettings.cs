using System.Globalization;
using System.Reflection;

namespace OrleansWallet.Bank.Tests;

/// <summary>The faults the nemesis knows, by the names used in <c>BANK_FAULTS</c>.</summary>
public enum FaultKind
{
    /// <summary>kill -9 of a silo, then a new process on the same addresses.</summary>
    SiloKill,

    /// <summary>kill -9 of redis-server, then a restart on the same port and data folder.</summary>
    RedisKill,

    /// <summary>PostgreSQL stopped (pg_ctl stop -m fast) for the outage length, then started.</summary>
    PostgresStop,

    /// <summary>PostgreSQL stopped as in <see cref="PostgresStop"/>, and during it a silo is stopped (SIGTERM) and started again.</summary>
    SiloRestartWhilePostgresDown,

    /// <summary>A third silo joins; clients use it; it is stopped gracefully (SIGTERM) and leaves.</summary>
    SiloAddRemove,
}

/// <summary>
/// One run's parameters. The defaults are the short run of the test command; scripts/bank.sh sets
/// the environment variables below for the long one. The seed decides users, operations, amounts
/// and the nemesis' choices (which silo, the order of later rounds); it cannot decide the
/// interleaving, which the machine does.
/// </summary>
public sealed record BankSettings
{
    public static readonly IReadOnlyList<FaultKind> DefaultFaults =
        [FaultKind.SiloKill, FaultKind.RedisKill, FaultKind.SiloRestartWhilePostgresDown, FaultKind.SiloAddRemove];

    public int Seed { get; init; }

    /// <summary>Concurrent clients, each a sequential "real client" with its own SDK channels (issue #8: at least 50).</summary>
    public int Clients { get; init; } = 50;

    /// <summary>Users money moves between (the lead's model: 30 to 100).</summary>
    public int Users { get; init; } = 40;

    /// <summary>The nemesis' schedule; run once in this order, then (long run) again in seeded orders until <see cref="Duration"/>.</summary>
    public IReadOnlyList<FaultKind> Faults { get; init; } = DefaultFaults;

    /// <summary>Least length of the fault phase; zero: one pass of the schedule (the short run).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.Zero;

    /// <summary>The issue's outage length.</summary>
    public TimeSpan PostgresOutage { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an operation may take to get a definite answer, retries included, before it counts
    /// as never settled (a violation). Above the Postgres outage plus the breaker's break plus a
    /// silo start, since a withdrawal request legitimately waits for Postgres.
    /// </summary>
    public TimeSpan OperationBound { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Issue #8: the longest stall of any client after a silo kill.</summary>
    public TimeSpan SiloKillStallMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A killed silo's process is started again after this (a supervisor's restart delay).</summary>
    public TimeSpan SiloDownTime { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RedisDownTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the third silo serves before it is stopped.</summary>
    public TimeSpan AddedSiloLifetime { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Traffic without faults before the first fault, between faults, and after the last.</summary>
    public TimeSpan QuietTime { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>A client's pause between operations, uniformly 0..this: 50 clients still keep both cores busy.</summary>
    public TimeSpan ThinkTimeMax { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The circuit breaker's break in the test silos (production: 30 s); shortens the drain after the outage.</summary>
    public TimeSpan PostgresBreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where the summary and, on violations, the silos' logs are written.</summary>
    public string ReportDirectory { get; init; } = Path.Combine(RepositoryRoot(), "TestResults", "bank");

    public static BankSettings FromEnvironment()
    {
        var settings = new BankSettings { Seed = Environment.TickCount & int.MaxValue };
        if (Read("BANK_SEED") is { } seed) settings = settings with { Seed = int.Parse(seed, CultureInfo.InvariantCulture) };
        if (Read("BANK_CLIENTS") is { } clients) settings = settings with { Clients = int.Parse(clients, CultureInfo.InvariantCulture) };
        if (Read("BANK_USERS") is { } users) settings = settings with { Users = int.Parse(users, CultureInfo.InvariantCulture) };
        if (Read("BANK_DURATION_S") is { } duration) settings = settings with { Duration = Seconds(duration) };
        if (Read("BANK_POSTGRES_OUTAGE_S") is { } outage) settings = settings with { PostgresOutage = Seconds(outage) };
        if (Read("BANK_OPERATION_BOUND_S") is { } bound) settings = settings with { OperationBound = Seconds(bound) };
        if (Read("BANK_REPORT_DIR") is { } report) settings = settings with { ReportDirectory = Path.GetFullPath(report) };
        if (Environment.GetEnvironmentVariable("BANK_FAULTS") is { } faults)
            settings = settings with { Faults = ParseFaults(faults) };
        if (settings.Clients < 1 || settings.Users < 2) throw new ArgumentException("BANK_CLIENTS >= 1 and BANK_USERS >= 2");
        return settings;
    }

    public static IReadOnlyList<FaultKind> ParseFaults(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(name => name != "none")
            .Select(name => Names.FirstOrDefault(n => n.Value == name) is { Value: not null } found
                ? found.Key
                : throw new ArgumentException($"BANK_FAULTS: unknown fault '{name}'; known: {string.Join(", ", Names.Values)}, none"))
            .ToList();

    public static string NameOf(FaultKind kind) => Names[kind];

    private static readonly Dictionary<FaultKind, string> Names = new()
    {
        [FaultKind.SiloKill] = "silo-kill",
        [FaultKind.RedisKill] = "redis-kill",
        [FaultKind.PostgresStop] = "postgres-stop",
        [FaultKind.SiloRestartWhilePostgresDown] = "silo-restart-pg-down",
        [FaultKind.SiloAddRemove] = "silo-add-remove",
    };

    public override string ToString() =>
        $"seed={Seed} clients={Clients} users={Users} faults={string.Join(",", Faults.Select(NameOf).DefaultIfEmpty("none"))} " +
        $"duration={(Duration == TimeSpan.Zero ? "one pass" : $"{Duration.TotalSeconds:F0}s")} " +
        $"postgres-outage={PostgresOutage.TotalSeconds:F0}s operation-bound={OperationBound.TotalSeconds:F0}s";

    private static string? Read(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static TimeSpan Seconds(string text) => TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));

    private static string RepositoryRoot() =>
        Path.GetFullPath(typeof(BankSettings).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "RepositoryRoot").Value!);
}
