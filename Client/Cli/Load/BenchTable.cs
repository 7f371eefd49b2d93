using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrleansWallet.Cli.Load;

/// <summary>
/// The table scripts/bench.sh prints: every figure of issue #7 from one folder of results, with
/// its ratio to pgbench's tpcb-like tps of the same run, its target and whether it is met.
/// The folder holds <c>pgbench.json</c>, <c>bench-meta.json</c>, <c>reconcile.tsv</c> and one
/// <c>load</c> result per phase, named as bench.sh names them (<see cref="Files"/>).
/// A figure whose file is missing is shown as "not run", never as passed.
/// </summary>
public static class BenchTable
{
    /// <summary>The result files bench.sh writes, by what they measure (SIZE is 10k or 100k).</summary>
    public static class Files
    {
        public const string Pgbench = "pgbench.json";
        public const string Meta = "bench-meta.json";
        public const string Reconcile = "reconcile.tsv";
        public const string Long = "long.json";
        public const string Outage = "outage.json";

        public static string Deposit(string size) => $"deposit-{size}.json";
        public static string Transfer(string size) => $"transfer-{size}.json";
        public static string TransferBatch(string size) => $"transfer-batch-{size}.json";
        public static string Order(string size) => $"order-{size}.json";
        public static string Read(string size) => $"read-{size}.json";
        public static string ReadBatch(string size) => $"read-batch-{size}.json";
        public static string RampDeposit(string size) => $"ramp-deposit-{size}.json";
        public static string RampTransfer(string size) => $"ramp-transfer-{size}.json";
    }

    // Targets of issue #7: the lead's write-path work is judged by them.
    public const double DepositRatioMin = 4;
    public const double TransferRatioMin = 2;
    public const double BatchTransferRatioMin = 10;
    public const double ReadsPerSecondMin = 50_000;
    public const double HalfRateP99MsMax = 20;
    public const double ThroughputChangePctMax = 20;
    public const double DepositCpuUsMax = 150;
    public const double TransferCpuUsMax = 400;
    public const double RssMiBMax = 512;

    public sealed record Row(string Figure, string Value, string Ratio, string Target, string Verdict);

    public sealed record PgbenchResult(double Tps, int Scale, int Clients, double Seconds, double? LatencyMs);

    public static (string Markdown, IReadOnlyList<Row> Rows) Build(string directory)
    {
        var pg = ReadPgbench(Path.Combine(directory, Files.Pgbench));
        var meta = ReadMeta(Path.Combine(directory, Files.Meta));
        var small = meta.GetValueOrDefault("smallLabel", "10k");
        var large = meta.GetValueOrDefault("largeLabel", "100k");
        var rows = new List<Row>();
        LoadResult? Load(string name)
        {
            var path = Path.Combine(directory, name);
            return File.Exists(path) ? ResultWriter.FromJson(File.ReadAllText(path)) : null;
        }

        rows.Add(pg is null
            ? new Row("pgbench tpcb-like tps (reference)", "not run", "–", "reference", "MISSING")
            : new Row($"pgbench tpcb-like tps (scale {pg.Scale}, {pg.Clients} clients, {pg.Seconds:N0} s; the reference)",
                F0(pg.Tps), "1.00×", "reference", "–"));

        var deposit = new Dictionary<string, LoadResult?> { [small] = Load(Files.Deposit(small)), [large] = Load(Files.Deposit(large)) };
        var transfer = new Dictionary<string, LoadResult?> { [small] = Load(Files.Transfer(small)), [large] = Load(Files.Transfer(large)) };

        // Cold cluster funding: the setup of the first load phase (deposits, small size) on a just-started cluster.
        var coldSetup = deposit[small]?.Setup;
        rows.Add(coldSetup is null
            ? new Row($"cold cluster funds {small} wallets, 256 callers: caller timeouts", "not run", "–", "0", "MISSING")
            : new Row($"cold cluster funds {coldSetup.Operations:N0} wallets, {coldSetup.Concurrency} callers: caller timeouts " +
                      $"({F0(coldSetup.OpsPerSecond)}/s, p99 {F1(coldSetup.LatencyMs.P99)} ms, unavailable {coldSetup.Unavailable}, failed {coldSetup.Failed})",
                coldSetup.Timeouts.ToString(CultureInfo.InvariantCulture), "–", "0", Pass(coldSetup.Timeouts == 0 && coldSetup.Ok == coldSetup.Operations)));

        foreach (var size in new[] { small, large })
        {
            rows.Add(Throughput($"deposits/s, {size} wallets, 1 per call", deposit[size], pg, DepositRatioMin));
            rows.Add(Throughput($"transfers/s, {size} wallets, 1 per call", transfer[size], pg, TransferRatioMin));
            var batch = Load(Files.TransferBatch(size));
            rows.Add(Throughput($"transfers/s, {size} wallets, SubmitBatch of {Config(batch, "batch")}", batch, pg, BatchTransferRatioMin));
            var order = Load(Files.Order(size));
            rows.Add(order?.HeadlinePhase is { } o
                ? new Row($"order lifecycles/s, {size} wallets (place, fill half, cancel: {F0(o.OpsPerSecond)} calls/s)",
                    F0(o.LifecyclesPerSecond), Ratio(o.LifecyclesPerSecond, pg), "–", "–")
                : new Row($"order lifecycles/s, {size} wallets", "not run", "–", "–", "MISSING"));
            rows.Add(Reads($"balance reads/s, {size} wallets, GetBalances (1 per call)", Load(Files.Read(size)), pg));
            rows.Add(Reads($"balance reads/s, {size} wallets, GetBalancesBatch of {Config(Load(Files.ReadBatch(size)), "readBatch")}",
                Load(Files.ReadBatch(size)), pg));
        }

        foreach (var (label, name) in new[] { ("deposits", Files.RampDeposit(small)), ("transfers", Files.RampTransfer(small)) })
        {
            var ramp = Load(name);
            if (ramp?.Ramp is not { } r)
            {
                rows.Add(new Row($"{label}: p99 at half the maximum rate ({small} wallets)", "not run", "–", $"≤ {HalfRateP99MsMax:N0} ms", "MISSING"));
                continue;
            }
            rows.Add(new Row($"{label}: maximum sustainable rate (ramp until p99 > {r.P99BoundMs:N0} ms or errors; {small} wallets)",
                F0(r.MaxSustainableOpsPerSecond), Ratio(r.MaxSustainableOpsPerSecond, pg), "–", "–"));
            rows.Add(r.HalfRateP99Ms is { } p99
                ? new Row($"{label}: p99 at half the maximum rate ({F0(r.HalfRate ?? 0)}/s)", $"{F1(p99)} ms", "–", $"≤ {HalfRateP99MsMax:N0} ms",
                    Pass(p99 <= HalfRateP99MsMax))
                : new Row($"{label}: p99 at half the maximum rate", "no rate held", "–", $"≤ {HalfRateP99MsMax:N0} ms", "FAIL"));
        }

        foreach (var (label, results) in new[] { ("deposits", deposit), ("transfers", transfer) })
        {
            var a = results[small]?.HeadlinePhase;
            var b = results[large]?.HeadlinePhase;
            rows.Add(a is null || b is null || a.OpsPerSecond <= 0
                ? new Row($"{label}: throughput {small} → {large} wallets", "not run", "–", $"within ±{ThroughputChangePctMax:N0} %", "MISSING")
                : Change($"{label}: throughput {small} → {large} wallets ({F0(a.OpsPerSecond)} → {F0(b.OpsPerSecond)}/s)",
                    (b.OpsPerSecond - a.OpsPerSecond) / a.OpsPerSecond * 100));
        }

        var longRun = Load(Files.Long);
        if (longRun?.HeadlinePhase is { } lr)
        {
            var target = longRun.Config.TryGetValue("operations", out var ops) ? FormatConfig(ops) : "?";
            var users = longRun.Config.TryGetValue("users", out var u) ? FormatConfig(u) : "?";
            rows.Add(new Row($"long run: operations completed of {target} on {users} wallets ({F0(lr.DurationSeconds)} s, {F0(lr.OpsPerSecond)} ops/s)",
                lr.Operations.ToString("N0", CultureInfo.InvariantCulture), Ratio(lr.OpsPerSecond, pg), $"{target}",
                Pass(long.TryParse(target, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var wanted) && lr.Operations >= wanted)));
            rows.Add(lr.Throughput.ChangePct is { } change
                ? Change($"long run: throughput at the end vs the start ({F0(lr.Throughput.StartPerSecond)} → {F0(lr.Throughput.EndPerSecond)}/s)", change)
                : new Row("long run: throughput at the end vs the start", "too short to tell", "–", $"within ±{ThroughputChangePctMax:N0} %", "FAIL"));
        }
        else
        {
            rows.Add(new Row("long run: throughput at the end vs the start", "not run", "–", $"within ±{ThroughputChangePctMax:N0} %", "MISSING"));
        }

        foreach (var size in new[] { small, large })
        {
            rows.Add(Cpu($"silo CPU per deposit, {size} wallets", deposit[size], DepositCpuUsMax));
            rows.Add(Cpu($"silo CPU per transfer, {size} wallets", transfer[size], TransferCpuUsMax));
        }

        // RSS with the large size active: the highest silo RSS seen in any phase on the large wallet set.
        double? rss = null;
        foreach (var name in new[] { Files.Deposit(large), Files.Transfer(large), Files.TransferBatch(large), Files.Order(large), Files.Read(large), Files.ReadBatch(large) })
        {
            var result = Load(name);
            if (result is null) continue;
            foreach (var phase in AllPhases(result))
                if (phase.Cpu.SiloRssMiBMax is { } m) rss = Math.Max(rss ?? 0, m);
        }
        rows.Add(rss is null
            ? new Row($"silo RSS with {large} active wallets (max over silos and phases)", "not measured", "–", $"≤ {RssMiBMax:N0} MiB", "MISSING")
            : new Row($"silo RSS with {large} active wallets (max over silos and phases)", $"{F0(rss.Value)} MiB", "–", $"≤ {RssMiBMax:N0} MiB",
                Pass(rss.Value <= RssMiBMax)));

        var outage = Load(Files.Outage);
        rows.Add(outage?.HeadlinePhase is { } op
            ? new Row($"Postgres outage ({meta.GetValueOrDefault("outageSeconds", "30")} s) and drain: caller timeouts " +
                      $"({F0(op.OpsPerSecond)} ops/s, p99 {F1(op.LatencyMs.P99)} ms, unavailable {op.Unavailable}, failed {op.Failed})",
                op.Timeouts.ToString(CultureInfo.InvariantCulture), "–", "0", Pass(op.Timeouts == 0))
            : new Row("Postgres outage and drain: caller timeouts", "not run", "–", "0", "MISSING"));

        var reconciles = ReadReconciles(Path.Combine(directory, Files.Reconcile));
        var drifted = reconciles.Count(r => r.Exit != 0);
        rows.Add(reconciles.Count == 0
            ? new Row("reconcile after every phase: runs with drift or errors", "not run", "–", "0", "MISSING")
            : new Row($"reconcile after every phase ({reconciles.Count} runs): runs with drift or errors" +
                      (drifted > 0 ? " — " + string.Join("; ", reconciles.Where(r => r.Exit != 0).Select(r => $"{r.Phase}: exit {r.Exit}")) : ""),
                drifted.ToString(CultureInfo.InvariantCulture), "–", "0", Pass(drifted == 0)));

        var d10 = deposit[small]?.HeadlinePhase;
        if (d10 is not null)
            rows.Add(new Row($"load generator CPU per operation (deposits, {small}; it shares the cores)",
                $"{F1(d10.Cpu.ClientCpuUsPerOp)} µs ({F0(d10.Cpu.ClientCpuPct)}% of a core)", "–", "–", "–"));

        var sb = new StringBuilder();
        sb.Append("Benchmark ").Append(meta.GetValueOrDefault("startedAt", "?")).Append(", commit ").Append(meta.GetValueOrDefault("commit", "?"))
            .Append(", ").Append(meta.GetValueOrDefault("cores", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture))).Append(" cores")
            .Append(meta.GetValueOrDefault("quick", "false") == "true" ? ", QUICK mode (smoke test: small sizes, seconds per phase; not the issue's figures)" : "")
            .Append(". Every service and the load generator on the same machine")
            .Append(meta.TryGetValue("pgPoolMax", out var pool) ? $"; silos' Postgres pool max: {pool}" : "")
            .Append(".\n\n");
        sb.Append("| figure | value | × pgbench | target | result |\n|---|---:|---:|---|---|\n");
        foreach (var row in rows)
            sb.Append("| ").Append(Cell(row.Figure)).Append(" | ").Append(Cell(row.Value)).Append(" | ").Append(row.Ratio).Append(" | ")
                .Append(Cell(row.Target)).Append(" | ").Append(row.Verdict).Append(" |\n");
        var failed = rows.Count(r => r.Verdict is "FAIL" or "MISSING");
        var passed = rows.Count(r => r.Verdict == "pass");
        sb.Append('\n').Append(passed).Append(" targets met, ").Append(failed).Append(" not met or not run.\n");
        return (sb.ToString(), rows);
    }

    private static IEnumerable<PhaseResult> AllPhases(LoadResult result)
    {
        if (result.Setup is not null) yield return result.Setup;
        foreach (var phase in result.Phases) yield return phase;
    }

    private static Row Throughput(string figure, LoadResult? result, PgbenchResult? pg, double ratioMin)
    {
        if (result?.HeadlinePhase is not { } p) return new Row(figure, "not run", "–", $"≥ {ratioMin:N0}× pgbench", "MISSING");
        var ratio = pg is null || pg.Tps <= 0 ? (double?)null : p.OpsPerSecond / pg.Tps;
        var errors = p.Unavailable + p.Timeouts + p.Failed;
        var value = F0(p.OpsPerSecond) + (errors > 0 ? $" ({errors:N0} errors)" : "");
        return new Row($"{figure} (p99 {F1(p.LatencyMs.P99)} ms)", value, Ratio(p.OpsPerSecond, pg), $"≥ {ratioMin:N0}× pgbench",
            ratio is null ? "MISSING" : Pass(ratio.Value >= ratioMin));
    }

    private static Row Reads(string figure, LoadResult? result, PgbenchResult? pg)
    {
        if (result?.HeadlinePhase is not { } p) return new Row(figure, "not run", "–", $"≥ {ReadsPerSecondMin:N0}/s", "MISSING");
        return new Row($"{figure} (p99 {F1(p.LatencyMs.P99)} ms)", F0(p.OpsPerSecond), Ratio(p.OpsPerSecond, pg), $"≥ {ReadsPerSecondMin:N0}/s",
            Pass(p.OpsPerSecond >= ReadsPerSecondMin));
    }

    private static Row Cpu(string figure, LoadResult? result, double maxUs)
    {
        if (result?.HeadlinePhase is not { } p) return new Row(figure, "not run", "–", $"≤ {maxUs:N0} µs", "MISSING");
        return p.Cpu.SiloCpuUsPerOp is { } us
            ? new Row(figure, $"{F0(us)} µs", "–", $"≤ {maxUs:N0} µs", Pass(us <= maxUs))
            : new Row(figure, "no silo CPU source", "–", $"≤ {maxUs:N0} µs", "MISSING");
    }

    private static Row Change(string figure, double changePct) =>
        new(figure, $"{changePct:+0.0;-0.0;0.0} %", "–", $"within ±{ThroughputChangePctMax:N0} %", Pass(Math.Abs(changePct) <= ThroughputChangePctMax));

    private static string Pass(bool ok) => ok ? "pass" : "FAIL";

    private static string Ratio(double value, PgbenchResult? pg) =>
        pg is null || pg.Tps <= 0 ? "–" : (value / pg.Tps).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    private static string Config(LoadResult? result, string key) =>
        result is not null && result.Config.TryGetValue(key, out var v) ? FormatConfig(v) : "?";

    private static string FormatConfig(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble().ToString("N0", CultureInfo.InvariantCulture),
        JsonElement e => e.ToString(),
        null => "?",
        IFormattable f => f.ToString("N0", CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "?",
    };

    private static string F0(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
    private static string F1(double v) => v.ToString("N1", CultureInfo.InvariantCulture);
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    public static PgbenchResult? ReadPgbench(string path)
    {
        if (!File.Exists(path)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        return new PgbenchResult(root.GetProperty("tps").GetDouble(), root.GetProperty("scale").GetInt32(), root.GetProperty("clients").GetInt32(),
            root.GetProperty("seconds").GetDouble(),
            root.TryGetProperty("latencyMs", out var latency) && latency.ValueKind == JsonValueKind.Number ? latency.GetDouble() : null);
    }

    private static Dictionary<string, string> ReadMeta(string path)
    {
        var meta = new Dictionary<string, string>();
        if (!File.Exists(path)) return meta;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        foreach (var property in doc.RootElement.EnumerateObject())
            meta[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.ToString();
        return meta;
    }

    /// <summary>reconcile.tsv: one line per reconcile, "phase TAB exit code TAB its last output line".</summary>
    public static List<(string Phase, int Exit, string Summary)> ReadReconciles(string path)
    {
        var list = new List<(string, int, string)>();
        if (!File.Exists(path)) return list;
        foreach (var line in File.ReadAllLines(path))
        {
            var parts = line.Split('\t');
            if (parts.Length < 2 || !int.TryParse(parts[1], out var exit)) continue;
            list.Add((parts[0], exit, parts.Length > 2 ? parts[2] : ""));
        }
        return list;
    }
}
