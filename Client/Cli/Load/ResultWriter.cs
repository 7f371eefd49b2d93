using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansWallet.Cli.Load;

/// <summary>Writes a run's JSON result and its self-contained HTML report (inline SVG plots: nothing fetched when viewed).</summary>
public static class ResultWriter
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string ToJson(LoadResult result) => JsonSerializer.Serialize(result, Json);

    public static LoadResult FromJson(string json) =>
        JsonSerializer.Deserialize<LoadResult>(json, Json) ?? throw new InvalidDataException("empty load result");

    public static async Task<(string JsonPath, string HtmlPath)> WriteAsync(LoadResult result, string prefix)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(prefix));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var jsonPath = prefix + ".json";
        var htmlPath = prefix + ".html";
        await File.WriteAllTextAsync(jsonPath, ToJson(result));
        await File.WriteAllTextAsync(htmlPath, Html(result));
        return (jsonPath, htmlPath);
    }

    // ------------------------------------------------------------------ HTML

    private const double PlotSecondsMin = 0.5;

    /// <summary>Marks the end of a phase in the timeline: plots start a new line after it.</summary>
    private static readonly SeriesPoint Break = new();

    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    public static string Html(LoadResult result)
    {
        var phases = new List<PhaseResult>();
        if (result.Setup is not null) phases.Add(result.Setup);
        phases.AddRange(result.Phases);

        // One timeline over every phase: each point's time is its phase's offset plus its own.
        var points = new List<(double T, SeriesPoint P, string Phase)>();
        var boundaries = new List<(double T, string Name)>();
        double offset = 0;
        foreach (var phase in phases)
        {
            boundaries.Add((offset, phase.Name));
            // Each second is drawn at its middle; a phase's lines do not join the next phase's.
            // A phase's last, partial second is left out of the plots when shorter than half a second: a
            // few calls over a sliver of time would draw a spike of rate that never happened (the JSON keeps it).
            foreach (var p in phase.Series)
                if (p.Seconds >= PlotSecondsMin) points.Add((offset + p.T + p.Seconds / 2, p, phase.Name));
            if (phase.Series.Count > 0) points.Add((double.NaN, Break, phase.Name));
            offset += Math.Max(phase.DurationSeconds, phase.Series.Count > 0 ? phase.Series[^1].T + phase.Series[^1].Seconds : 0);
        }
        var timelineEnd = Math.Max(1, offset);

        var kinds = new List<string>();
        foreach (var (_, p, _) in points)
            foreach (var kind in p.OpsByKind.Keys)
                if (!kinds.Contains(kind)) kinds.Add(kind);

        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>load ").Append(E(result.RunId)).Append("</title>");
        sb.Append("<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}" +
                  "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}" +
                  "svg{background:#fff;border:1px solid #ddd;margin:6px 0}code{background:#f3f3f3;padding:1px 4px}.bad{color:#b00;font-weight:bold}</style></head><body>");
        sb.Append("<h1>orleans-wallet load ").Append(E(result.RunId)).Append("</h1>");
        sb.Append("<p>").Append(E($"{result.StartedAt:u} → {result.FinishedAt:u}; {result.ProcessorCount} cores; "));
        foreach (var (key, value) in result.Config)
            if (value is not null) sb.Append("<code>").Append(E(key)).Append('=').Append(E(FormatValue(value))).Append("</code> ");
        sb.Append("</p>");

        sb.Append("<h2>Phases</h2><table><tr><th>phase</th><th>mode</th><th>seconds</th><th>ops</th><th>ops/s</th><th>calls/s</th>" +
                  "<th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>refused</th><th>unavailable</th><th>timeouts</th><th>failed</th>" +
                  "<th>silo CPU µs/op</th><th>silo RSS MiB</th><th>client CPU µs/op</th><th>throughput start→end</th></tr>");
        foreach (var p in phases)
        {
            sb.Append("<tr><td>").Append(E(p.Name)).Append("</td><td>")
                .Append(E(p.Mode == "open" ? $"open {p.TargetRate:N0}/s" : $"closed ×{p.Concurrency}")).Append("</td>");
            Cell(sb, p.DurationSeconds.ToString("N1", CultureInfo.InvariantCulture));
            Cell(sb, p.Operations.ToString("N0", CultureInfo.InvariantCulture));
            Cell(sb, p.OpsPerSecond.ToString("N0", CultureInfo.InvariantCulture));
            Cell(sb, p.CallsPerSecond.ToString("N0", CultureInfo.InvariantCulture));
            Cell(sb, p.LatencyMs.P50.ToString("N2", CultureInfo.InvariantCulture));
            Cell(sb, p.LatencyMs.P99.ToString("N2", CultureInfo.InvariantCulture));
            Cell(sb, p.LatencyMs.Max.ToString("N0", CultureInfo.InvariantCulture));
            Cell(sb, p.Refused.ToString("N0", CultureInfo.InvariantCulture));
            Cell(sb, p.Unavailable.ToString("N0", CultureInfo.InvariantCulture), p.Unavailable > 0);
            Cell(sb, p.Timeouts.ToString("N0", CultureInfo.InvariantCulture), p.Timeouts > 0);
            Cell(sb, p.Failed.ToString("N0", CultureInfo.InvariantCulture), p.Failed > 0);
            Cell(sb, p.Cpu.SiloCpuUsPerOp?.ToString("N1", CultureInfo.InvariantCulture) ?? "–");
            Cell(sb, p.Cpu.SiloRssMiBMax?.ToString("N0", CultureInfo.InvariantCulture) ?? "–");
            Cell(sb, p.Cpu.ClientCpuUsPerOp.ToString("N1", CultureInfo.InvariantCulture));
            Cell(sb, p.Throughput.ChangePct is { } c
                ? $"{p.Throughput.StartPerSecond:N0}→{p.Throughput.EndPerSecond:N0} ({c:+0.0;-0.0}%)"
                : "–");
            sb.Append("</tr>");
        }
        sb.Append("</table>");

        if (result.Ramp is { } ramp)
        {
            sb.Append("<h2>Ramp</h2><p>").Append(E($"bounds: p99 ≤ {ramp.P99BoundMs:N0} ms, errors ≤ {ramp.ErrorRatioMax:P2}, achieved ≥ 90 % of offered. " +
                $"Highest rate that held: {ramp.MaxSustainableRate:N0}/s ({ramp.MaxSustainableOpsPerSecond:N0} ops/s); " +
                (ramp.HalfRate is { } h ? $"at half ({h:N0}/s) p99 = {ramp.HalfRateP99Ms:N2} ms." : "no half-rate run.")))
                .Append("</p><table><tr><th>offered/s</th><th>achieved/s</th><th>ops/s</th><th>p99 ms</th><th>errors</th><th>verdict</th></tr>");
            foreach (var s in ramp.Steps)
                sb.Append("<tr><td>").Append(s.Rate.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td>")
                    .Append(s.AchievedRate.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td>")
                    .Append(s.OpsPerSecond.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td>")
                    .Append(s.P99Ms.ToString("N2", CultureInfo.InvariantCulture)).Append("</td><td>")
                    .Append(s.ErrorRatio.ToString("P2", CultureInfo.InvariantCulture)).Append("</td><td>").Append(E(s.Verdict)).Append("</td></tr>");
            sb.Append("</table>");
        }

        sb.Append("<h2>Throughput (operations per second, by call kind)</h2>");
        var throughput = new List<(string, string, List<(double, double)>)>();
        var total = new List<(double, double)>();
        foreach (var (t, p, _) in points) total.Add((t, p.OpsPerSecond));
        throughput.Add(("all", Palette[0], total));
        for (var i = 0; i < kinds.Count; i++)
        {
            var series = new List<(double, double)>();
            foreach (var (t, p, _) in points) series.Add((t, p.Seconds > 0 ? p.OpsByKind.GetValueOrDefault(kinds[i]) / p.Seconds : 0));
            throughput.Add((kinds[i], Palette[(i + 1) % Palette.Length], series));
        }
        sb.Append(Plot(throughput, boundaries, timelineEnd, "ops/s", logY: false));

        sb.Append("<h2>Latency per second (ms, log scale; open loop counts from the intended start)</h2>");
        var p50 = new List<(double, double)>();
        var p99 = new List<(double, double)>();
        var max = new List<(double, double)>();
        foreach (var (t, p, _) in points)
        {
            if (p.Calls == 0 && !double.IsNaN(t)) continue;
            p50.Add((t, p.P50Ms));
            p99.Add((t, p.P99Ms));
            max.Add((t, p.MaxMs));
        }
        sb.Append(Plot([("p50", Palette[2], p50), ("p99", Palette[1], p99), ("max", Palette[8], max)], boundaries, timelineEnd, "ms", logY: true));

        sb.Append("<h2>Errors per second (refusals are expected in a random mix; timeouts are not)</h2>");
        var refused = new List<(double, double)>();
        var unavailable = new List<(double, double)>();
        var timeouts = new List<(double, double)>();
        var failed = new List<(double, double)>();
        foreach (var (t, p, _) in points)
        {
            refused.Add((t, p.Refused));
            unavailable.Add((t, p.Unavailable));
            timeouts.Add((t, p.Timeouts));
            failed.Add((t, p.Failed));
        }
        sb.Append(Plot([("refused", Palette[3], refused), ("unavailable", Palette[4], unavailable), ("timeouts", Palette[1], timeouts),
            ("failed", Palette[5], failed)], boundaries, timelineEnd, "per s", logY: false));

        var cpuSilo = new List<(double, double)>();
        var cpuClient = new List<(double, double)>();
        foreach (var (t, p, _) in points)
        {
            if (double.IsNaN(t))
            {
                cpuSilo.Add((t, 0));
                cpuClient.Add((t, 0));
                continue;
            }
            if (p.SiloCpuPct is { } s) cpuSilo.Add((t, s));
            if (p.ClientCpuPct is { } c) cpuClient.Add((t, c));
        }
        sb.Append("<h2>CPU (% of one core; silos summed)</h2>");
        sb.Append(Plot([("silos", Palette[0], cpuSilo), ("load generator", Palette[3], cpuClient)], boundaries, timelineEnd, "%", logY: false));

        var failures = new List<(string Phase, FailureCount F)>();
        foreach (var p in phases)
            foreach (var f in p.Failures) failures.Add((p.Name, f));
        if (failures.Count > 0)
        {
            sb.Append("<h2>Refusals and errors by status/reason</h2><table><tr><th>phase</th><th>call</th><th>status/reason</th><th>count</th></tr>");
            foreach (var (phase, f) in failures)
                sb.Append("<tr><td>").Append(E(phase)).Append("</td><td>").Append(E(f.Kind)).Append("</td><td>").Append(E(f.Label))
                    .Append("</td><td>").Append(f.Count.ToString("N0", CultureInfo.InvariantCulture)).Append("</td></tr>");
            sb.Append("</table>");
        }

        sb.Append("<h2>By call kind</h2><table><tr><th>phase</th><th>call</th><th>calls</th><th>ops</th><th>ops/s</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max ms</th></tr>");
        foreach (var p in phases)
            foreach (var (kind, k) in p.ByKind)
            {
                sb.Append("<tr><td>").Append(E(p.Name)).Append("</td><td>").Append(E(kind)).Append("</td>");
                Cell(sb, k.Calls.ToString("N0", CultureInfo.InvariantCulture));
                Cell(sb, k.Operations.ToString("N0", CultureInfo.InvariantCulture));
                Cell(sb, k.OpsPerSecond.ToString("N0", CultureInfo.InvariantCulture));
                Cell(sb, k.LatencyMs.P50.ToString("N2", CultureInfo.InvariantCulture));
                Cell(sb, k.LatencyMs.P90.ToString("N2", CultureInfo.InvariantCulture));
                Cell(sb, k.LatencyMs.P99.ToString("N2", CultureInfo.InvariantCulture));
                Cell(sb, k.LatencyMs.P999.ToString("N2", CultureInfo.InvariantCulture));
                Cell(sb, k.LatencyMs.Max.ToString("N0", CultureInfo.InvariantCulture));
                sb.Append("</tr>");
            }
        sb.Append("</table>");

        if (result.Reconcile is { } r)
            sb.Append("<h2>Reconcile</h2><p>").Append(E(r.Error ?? $"{r.WalletsChecked:N0} wallets, {r.Differences} differences, " +
                $"{r.OutboxEntries} outbox entries, {r.PendingTransfers} transfers in flight ({r.Seconds:N1} s)")).Append("</p>");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static void Cell(StringBuilder sb, string text, bool bad = false) =>
        sb.Append(bad ? "<td class=\"bad\">" : "<td>").Append(E(text)).Append("</td>");

    private static string FormatValue(object value) => value switch
    {
        IEnumerable<string> list => string.Join(",", list),
        JsonElement { ValueKind: JsonValueKind.Array } array => string.Join(",", array.EnumerateArray().Select(e => e.ToString())),
        double d => d.ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A line plot as inline SVG: time on x (seconds since the run started), phase boundaries as dashed lines.</summary>
    public static string Plot(IReadOnlyList<(string Name, string Color, List<(double X, double Y)> Points)> series,
        IReadOnlyList<(double T, string Name)> boundaries, double xEnd, string unit, bool logY)
    {
        const int width = 960, height = 260, left = 64, right = 130, top = 14, bottom = 34;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        double xMax = Math.Max(1, xEnd), yMax = 0, yMin = double.MaxValue;
        foreach (var (_, _, pts) in series)
            foreach (var (x, y) in pts)
            {
                if (double.IsNaN(x)) continue;
                xMax = Math.Max(xMax, x);
                yMax = Math.Max(yMax, y);
                if (y > 0) yMin = Math.Min(yMin, y);
            }
        foreach (var (t, _) in boundaries) xMax = Math.Max(xMax, t);
        if (yMax <= 0) yMax = 1;
        double lo, hi;
        if (logY)
        {
            lo = Math.Pow(10, Math.Floor(Math.Log10(yMin == double.MaxValue ? 0.1 : yMin)));
            hi = Math.Pow(10, Math.Ceiling(Math.Log10(yMax)));
            if (hi <= lo) hi = lo * 10;
        }
        else
        {
            lo = 0;
            hi = NiceCeiling(yMax);
        }
        double X(double x) => left + x / xMax * plotW;
        double Y(double y)
        {
            if (logY)
            {
                var v = Math.Max(y, lo);
                return top + plotH - (Math.Log10(v) - Math.Log10(lo)) / (Math.Log10(hi) - Math.Log10(lo)) * plotH;
            }
            return top + plotH - (y - lo) / (hi - lo) * plotH;
        }

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-size=\"11\">");
        // Grid and axis labels.
        var ticks = new List<double>();
        if (logY)
            for (var v = lo; v <= hi * 1.0001; v *= 10) ticks.Add(v);
        else
            for (var i = 0; i <= 4; i++) ticks.Add(lo + (hi - lo) * i / 4);
        foreach (var v in ticks)
        {
            var y = Y(v);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{y:F1}\" x2=\"{left + plotW}\" y2=\"{y:F1}\" stroke=\"#eee\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 4}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{E(Short(v))}</text>");
        }
        for (var i = 0; i <= 6; i++)
        {
            var xv = xMax * i / 6;
            var x = X(xv);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:F1}\" y=\"{height - 14}\" text-anchor=\"middle\">{xv:F0}s</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 50}\" y=\"{top + 8}\">{E(unit)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#999\"/>");
        foreach (var (t, name) in boundaries)
        {
            var x = X(t);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:F1}\" y1=\"{top}\" x2=\"{x:F1}\" y2=\"{top + plotH}\" stroke=\"#888\" stroke-dasharray=\"4,3\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 3:F1}\" y=\"{top + 11}\" fill=\"#555\">{E(name)}</text>");
        }
        var legendY = top + 10;
        foreach (var (name, color, pts) in series)
        {
            var open = false;
            foreach (var (x, y) in pts)
            {
                if (double.IsNaN(x) || double.IsNaN(y))
                {
                    if (open) sb.Append("\"/>");
                    open = false;
                    continue;
                }
                if (!open) sb.Append("<polyline fill=\"none\" stroke=\"").Append(color).Append("\" stroke-width=\"1.5\" points=\"");
                open = true;
                sb.Append(CultureInfo.InvariantCulture, $"{X(x):F1},{Y(y):F1} ");
            }
            if (open) sb.Append("\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + plotW + 10}\" y=\"{legendY - 8}\" width=\"10\" height=\"10\" fill=\"{color}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{left + plotW + 24}\" y=\"{legendY + 1}\">{E(name)}</text>");
            legendY += 16;
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static double NiceCeiling(double v)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var step in new[] { 1.0, 2.0, 2.5, 5.0, 10.0 })
            if (step * magnitude >= v) return step * magnitude;
        return 10 * magnitude;
    }

    private static string Short(double v) => v switch
    {
        >= 1_000_000 => (v / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (v / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        >= 1 => v.ToString("0.#", CultureInfo.InvariantCulture),
        _ => v.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
