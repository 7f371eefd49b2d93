using System.Globalization;
using System.Numerics;

namespace OrleansWallet.Cli.Load;

public enum LoadScenario
{
    /// <summary>One measured phase: closed loop (--concurrency) or open loop (--rate).</summary>
    Baseline,

    /// <summary>Open loop, the rate stepped up until latency or errors break; then a run at half the highest rate that held.</summary>
    Ramp,

    /// <summary>Closed loop over many operations (default 1,000,000): throughput at the end compared with the start.</summary>
    Endurance,
}

/// <summary>
/// Everything a load run is told. <see cref="Validate"/> names the offending option in each
/// message, as the other commands do, so a mistyped run stops before it sends anything.
/// </summary>
public sealed class LoadOptions
{
    /// <summary>The endurance scenario's default size, from issue #7.</summary>
    public const long EnduranceOperationsDefault = 1_000_000;

    /// <summary>The service's own batch limit (SubmitBatch, GetBalancesBatch).</summary>
    public const int BatchMax = 1_000;

    /// <summary>gRPC's own upper limit for attempts of one call.</summary>
    public const int MaxAttemptsLimit = 5;

    public IReadOnlyList<Uri> Endpoints { get; init; } = [];
    public int ConnectionsPerEndpoint { get; init; } = 1;
    public LoadScenario Scenario { get; init; } = LoadScenario.Baseline;
    public string MixText { get; init; } = "deposit=40,transfer=40,order=10,read=10";
    public int Users { get; init; } = 1_000;
    public string? UserPrefix { get; init; }
    public string RunId { get; init; } = NewRunId();
    public bool Fund { get; init; } = true;
    public int SetupConcurrency { get; init; } = 256;
    public BigInteger FundAmount { get; init; } = BigInteger.Pow(10, 24);

    /// <summary>Closed loop: callers each with one call in flight. Ignored when <see cref="Rate"/> is set.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Open loop: operations started per second, whatever the answers (null: closed loop).</summary>
    public double? Rate { get; init; }

    /// <summary>Open loop: calls in flight at most; past it the schedule waits (and latency, measured from the schedule, grows).</summary>
    public int MaxInFlight { get; init; } = 10_000;

    /// <summary>How long the measured phase runs (null: 30 s; an endurance run is then sized by operations only).</summary>
    public TimeSpan? Duration { get; init; }
    public long? Operations { get; init; }
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);
    public int Batch { get; init; } = 1;
    public int ReadBatch { get; init; } = 1;
    public double ReplayFraction { get; init; }
    public double OrderFillAllFraction { get; init; }
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(10);
    public int? MaxAttempts { get; init; }

    public double RampStepFactor { get; init; } = 1.25;
    public TimeSpan RampStepDuration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RampP99Max { get; init; } = TimeSpan.FromMilliseconds(100);
    public double RampErrorRatioMax { get; init; } = 0.001;
    public int RampStepsMax { get; init; } = 40;

    public IReadOnlyList<int> SiloPids { get; init; } = [];
    public bool DiscoverSilos { get; init; } = true;
    public IReadOnlyList<Uri> MetricsUrls { get; init; } = [];
    public string? OutPrefix { get; init; }
    public bool Quiet { get; init; }
    public bool Reconcile { get; init; }
    public int? Seed { get; init; }

    public string EffectiveUserPrefix => UserPrefix ?? $"lg-{RunId}";
    public string EffectiveOutPrefix => OutPrefix ?? $"load-{RunId}";

    /// <summary>The endurance scenario runs until this many operations; the others until the duration (or this, if set).</summary>
    public long? EffectiveOperations => Operations ?? (Scenario == LoadScenario.Endurance ? EnduranceOperationsDefault : null);

    public static readonly TimeSpan DurationDefault = TimeSpan.FromSeconds(30);

    /// <summary>Endurance runs are sized by operations; a duration is then only a cap (default: none).</summary>
    public TimeSpan EffectiveDuration => Duration ?? (Scenario == LoadScenario.Endurance ? TimeSpan.MaxValue : DurationDefault);

    public OperationMix Mix => OperationMix.TryParse(MixText, "--mix", out var mix, out var error) ? mix! : throw new InvalidOperationException(error);

    public static string NewRunId() => Guid.NewGuid().ToString("N")[..8];

    /// <summary>Every problem with these options, each naming its option; empty when they can run.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Endpoints.Count == 0) errors.Add("--endpoint: give at least one gRPC endpoint");
        foreach (var endpoint in Endpoints)
            if (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https"))
                errors.Add($"--endpoints: '{endpoint}' is not an http:// or https:// address");
        Range(errors, "--connections", ConnectionsPerEndpoint, 1, 64);
        if (!OperationMix.TryParse(MixText, "--mix", out _, out var mixError)) errors.Add(mixError!);
        Range(errors, "--users", Users, 2, 10_000_000, "transfers need two");
        var prefix = EffectiveUserPrefix;
        if (!IsIdentifier(prefix) || prefix.Length > 64)
            errors.Add($"--user-prefix: '{prefix}' must be 1..64 letters, digits or - _ . : @ (it starts every user id)");
        if (!IsIdentifier(RunId) || RunId.Length > 32)
            errors.Add($"--run-id: '{RunId}' must be 1..32 letters, digits or - _ . : @ (it starts every idempotency key)");
        Range(errors, "--setup-concurrency", SetupConcurrency, 1, 10_000);
        if (FundAmount <= 0) errors.Add("--fund-amount: must be greater than zero");
        Range(errors, "--concurrency", Concurrency, 1, 10_000);
        if (Rate is { } rate && (!(rate > 0) || double.IsInfinity(rate) || rate > 10_000_000))
            errors.Add($"--rate: {rate} is not an arrival rate from above 0 to 10000000 operations per second");
        Range(errors, "--max-in-flight", MaxInFlight, 1, 100_000);
        if (Duration is { } duration && duration <= TimeSpan.Zero) errors.Add("--duration: must be longer than 0");
        if (Operations is { } operations && operations < 1) errors.Add($"--operations: {operations} must be at least 1");
        if (Warmup < TimeSpan.Zero) errors.Add("--warmup: must not be negative");
        Range(errors, "--batch", Batch, 1, BatchMax, "the service takes at most 1,000 operations a call");
        Range(errors, "--read-batch", ReadBatch, 1, BatchMax, "the service takes at most 1,000 users a call");
        Fraction(errors, "--replay-fraction", ReplayFraction);
        Fraction(errors, "--order-fill-all-fraction", OrderFillAllFraction);
        if (Deadline <= TimeSpan.Zero) errors.Add("--deadline: must be longer than 0");
        if (MaxAttempts is { } attempts) Range(errors, "--max-attempts", attempts, 1, MaxAttemptsLimit, "gRPC's own limit");
        if (Scenario == LoadScenario.Ramp)
        {
            if (Rate is null) errors.Add("--rate: the ramp scenario needs a starting rate (operations per second)");
            if (!(RampStepFactor > 1.0) || RampStepFactor > 10) errors.Add($"--ramp-step: {RampStepFactor} must be above 1 and at most 10 (each step multiplies the rate)");
            if (RampStepDuration < TimeSpan.FromSeconds(1)) errors.Add("--ramp-step-duration: must be at least 1s (percentiles need samples)");
            if (RampP99Max <= TimeSpan.Zero) errors.Add("--ramp-p99-max: must be longer than 0");
            Fraction(errors, "--ramp-error-max", RampErrorRatioMax);
            Range(errors, "--ramp-steps-max", RampStepsMax, 1, 1_000);
        }
        if (Scenario == LoadScenario.Endurance && Rate is not null && Operations is null)
            errors.Add("--operations: an open-loop endurance run needs its size (or drop --rate for the closed loop)");
        foreach (var pid in SiloPids)
            if (pid <= 0) errors.Add($"--silo-pid: {pid} is not a process id");
        foreach (var url in MetricsUrls)
            if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
                errors.Add($"--metrics-url: '{url}' is not an http:// or https:// address");
        if (Seed is < 0) errors.Add("--seed: must not be negative");
        return errors;
    }

    /// <summary>
    /// Parses a duration: a number with a unit (<c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>) or a
    /// plain number of seconds.
    /// </summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)) return false;
        var seconds = value * scale;
        if (double.IsNaN(seconds) || seconds > TimeSpan.FromDays(30).TotalSeconds) return false;
        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    private static void Range(List<string> errors, string option, long value, long min, long max, string? why = null)
    {
        if (value < min || value > max)
            errors.Add($"{option}: {value} is outside {min.ToString("N0", CultureInfo.InvariantCulture)}..{max.ToString("N0", CultureInfo.InvariantCulture)}" +
                       (why is null ? "" : $" ({why})"));
    }

    private static void Fraction(List<string> errors, string option, double value)
    {
        if (!(value >= 0 && value <= 1)) errors.Add($"{option}: {value} is not a fraction from 0 to 1");
    }

    private static bool IsIdentifier(string value)
    {
        if (value.Length == 0) return false;
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@')) return false;
        return true;
    }
}
