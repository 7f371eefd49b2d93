using System.Text.Json.Serialization;

namespace OrleansWallet.Cli.Load;

/// <summary>The JSON result of one <c>load</c> run (written as camelCase; <see cref="SchemaVersion"/> changes when fields change meaning).</summary>
public sealed class LoadResult
{
    public string Tool { get; set; } = "orleans-wallet load";
    public int SchemaVersion { get; set; } = 1;
    public string RunId { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    public int ProcessorCount { get; set; } = Environment.ProcessorCount;
    public Dictionary<string, object?> Config { get; set; } = [];

    /// <summary>The funding of every wallet before the run (null with --setup none).</summary>
    public PhaseResult? Setup { get; set; }

    /// <summary>Every phase after the setup, in order: warm-up, measured, or the ramp's steps and the half-rate run.</summary>
    public List<PhaseResult> Phases { get; set; } = [];

    /// <summary>The phase whose figures are the run's headline (measured, or the ramp's half-rate run).</summary>
    public string? Headline { get; set; }

    public RampResult? Ramp { get; set; }
    public ReconcileResult? Reconcile { get; set; }

    [JsonIgnore]
    public PhaseResult? HeadlinePhase => Phases.Find(p => p.Name == Headline);
}

public sealed class PhaseResult
{
    public string Name { get; set; } = "";

    /// <summary>"closed" (callers each with one call in flight) or "open" (calls started at a fixed rate).</summary>
    public string Mode { get; set; } = "closed";

    public int? Concurrency { get; set; }
    public double? TargetRate { get; set; }
    public double DurationSeconds { get; set; }

    /// <summary>Operations: a batch call counts its items, an order lifecycle its calls, the setup its deposits.</summary>
    public long Operations { get; set; }

    public long Calls { get; set; }
    public double OpsPerSecond { get; set; }
    public double CallsPerSecond { get; set; }
    public long Ok { get; set; }
    public long Refused { get; set; }
    public long Unavailable { get; set; }
    public long Timeouts { get; set; }
    public long Failed { get; set; }
    public long Replayed { get; set; }
    public long LateStarts { get; set; }
    public long Lifecycles { get; set; }

    /// <summary>Open loop: scheduled operations (mix picks) completed; the rate offered is in picks per second.</summary>
    public long Picks { get; set; }

    public double LifecyclesPerSecond { get; set; }
    public Percentiles LatencyMs { get; set; } = new();
    public Percentiles? LifecycleLatencyMs { get; set; }
    public Dictionary<string, KindResult> ByKind { get; set; } = [];
    public List<FailureCount> Failures { get; set; } = [];
    public CpuResult Cpu { get; set; } = new();
    public ThroughputTrend Throughput { get; set; } = new();
    public List<SeriesPoint> Series { get; set; } = [];
}

public sealed class KindResult
{
    public long Calls { get; set; }
    public long Operations { get; set; }
    public double OpsPerSecond { get; set; }
    public long Ok { get; set; }
    public long Refused { get; set; }
    public long Unavailable { get; set; }
    public long Timeouts { get; set; }
    public long Failed { get; set; }
    public Percentiles LatencyMs { get; set; } = new();
}

public sealed record FailureCount(string Kind, string Label, long Count);

public sealed class Percentiles
{
    public long Count { get; set; }
    public double P50 { get; set; }
    public double P90 { get; set; }
    public double P99 { get; set; }
    public double P999 { get; set; }
    public double Max { get; set; }
    public double Mean { get; set; }

    public static Percentiles Of(LatencyHistogram h) => new()
    {
        Count = h.Count,
        P50 = h.PercentileUs(0.50) / 1000.0,
        P90 = h.PercentileUs(0.90) / 1000.0,
        P99 = h.PercentileUs(0.99) / 1000.0,
        P999 = h.PercentileUs(0.999) / 1000.0,
        Max = h.MaxUs / 1000.0,
        Mean = Math.Round(h.MeanUs / 1000.0, 3),
    };
}

/// <summary>CPU and memory over a phase: the silos' (summed) and this generator's own.</summary>
public sealed class CpuResult
{
    /// <summary>Where silo figures came from: pids, metrics URLs, or "none" (then the silo fields are null).</summary>
    public string Sources { get; set; } = "none";

    public double? SiloCpuSeconds { get; set; }
    public double? SiloCpuUsPerOp { get; set; }

    /// <summary>The same figure as <see cref="SiloCpuUsPerOp"/>, in the unit: CPU seconds per 1,000 operations.</summary>
    public double? SiloCpuSecondsPer1000Ops { get; set; }

    /// <summary>Silo CPU in % of one core over the phase, summed over silos (this machine has <see cref="LoadResult.ProcessorCount"/> cores).</summary>
    public double? SiloCpuPct { get; set; }

    public double? SiloRssMiBMax { get; set; }
    public double ClientCpuSeconds { get; set; }
    public double ClientCpuUsPerOp { get; set; }
    public double ClientCpuPct { get; set; }
    public List<SiloFigures> Silos { get; set; } = [];
}

public sealed record SiloFigures(string Source, double CpuSeconds, double RssMiBEnd, double RssMiBMax);

/// <summary>Throughput over the first and last tenth of a phase's whole seconds (at least one each), and their change.</summary>
public sealed class ThroughputTrend
{
    public double StartPerSecond { get; set; }
    public double EndPerSecond { get; set; }
    public double? ChangePct { get; set; }

    public static ThroughputTrend Of(IReadOnlyList<SeriesPoint> series)
    {
        var whole = new List<SeriesPoint>();
        foreach (var point in series)
            if (point.Seconds >= 0.999) whole.Add(point);
        if (whole.Count < 2) return new ThroughputTrend();
        var n = Math.Max(1, whole.Count / 10);
        double start = 0, end = 0;
        for (var i = 0; i < n; i++)
        {
            start += whole[i].Ops;
            end += whole[whole.Count - n + i].Ops;
        }
        start /= n;
        end /= n;
        return new ThroughputTrend
        {
            StartPerSecond = Math.Round(start, 1),
            EndPerSecond = Math.Round(end, 1),
            ChangePct = start > 0 ? Math.Round((end - start) / start * 100, 1) : null,
        };
    }
}

public sealed class RampResult
{
    public double P99BoundMs { get; set; }
    public double ErrorRatioMax { get; set; }
    public List<RampStep> Steps { get; set; } = [];

    /// <summary>The highest offered rate (mix picks per second) at which p99, errors and achieved rate all held; 0 if none did.</summary>
    public double MaxSustainableRate { get; set; }

    /// <summary>Operations per second completed at that rate.</summary>
    public double MaxSustainableOpsPerSecond { get; set; }

    public double? HalfRate { get; set; }
    public double? HalfRateP99Ms { get; set; }
}

public sealed record RampStep(double Rate, double AchievedRate, double OpsPerSecond, double P99Ms, double ErrorRatio, bool Held, string Verdict);

public sealed class ReconcileResult
{
    public int WalletsChecked { get; set; }
    public int Differences { get; set; }
    public int OutboxEntries { get; set; }
    public int PendingTransfers { get; set; }
    public double Seconds { get; set; }
    public string? Error { get; set; }
}
