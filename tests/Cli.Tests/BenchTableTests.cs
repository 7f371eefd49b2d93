namespace OrleansWallet.Cli.Tests;

public sealed class BenchTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bench-table-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string name, LoadResult result) => File.WriteAllText(Path.Combine(_dir, name), ResultWriter.ToJson(result));

    private static LoadResult Result(double opsPerSecond, double p99 = 5, double? cpuUs = 100, double rss = 300, long timeouts = 0,
        PhaseResult? setup = null, Dictionary<string, object?>? config = null, double? changePct = null, long operations = 1_000)
    {
        var phase = new PhaseResult
        {
            Name = "measured", OpsPerSecond = opsPerSecond, Operations = operations, Ok = operations - timeouts, Timeouts = timeouts,
            LatencyMs = new Percentiles { P99 = p99 }, DurationSeconds = 30,
            Cpu = new CpuResult { SiloCpuUsPerOp = cpuUs, SiloRssMiBMax = rss, ClientCpuUsPerOp = 40, ClientCpuPct = 30 },
            Throughput = new ThroughputTrend { StartPerSecond = 100, EndPerSecond = 100 + (changePct ?? 0), ChangePct = changePct },
        };
        return new LoadResult { Headline = "measured", Phases = [phase], Setup = setup, Config = config ?? [] };
    }

    [Fact]
    public void Every_figure_is_judged_against_its_target_and_ratios_use_pgbench()
    {
        File.WriteAllText(Path.Combine(_dir, BenchTable.Files.Pgbench), """{"tps": 1000, "scale": 10, "clients": 8, "seconds": 30, "latencyMs": 7.9}""");
        File.WriteAllText(Path.Combine(_dir, BenchTable.Files.Reconcile), "deposit-10k\t0\tok\ntransfer-10k\t3\tDRIFT\n");
        var coldSetup = new PhaseResult { Name = "setup", Operations = 10_000, Ok = 10_000, Concurrency = 256, OpsPerSecond = 900 };
        Write(BenchTable.Files.Deposit("10k"), Result(4_500, cpuUs: 140, setup: coldSetup));
        Write(BenchTable.Files.Deposit("100k"), Result(4_000, cpuUs: 160, rss: 600));
        Write(BenchTable.Files.Transfer("10k"), Result(1_900, cpuUs: 390));
        Write(BenchTable.Files.TransferBatch("10k"), Result(12_000, config: new() { ["batch"] = 100 }));
        Write(BenchTable.Files.ReadBatch("10k"), Result(60_000, config: new() { ["readBatch"] = 100 }));
        Write(BenchTable.Files.Read("10k"), Result(20_000));
        var ramp = Result(2_000);
        ramp.Ramp = new RampResult { P99BoundMs = 100, MaxSustainableRate = 5_000, MaxSustainableOpsPerSecond = 5_000, HalfRate = 2_500, HalfRateP99Ms = 12.5 };
        Write(BenchTable.Files.RampDeposit("10k"), ramp);
        Write(BenchTable.Files.Long, Result(3_000, changePct: -25, operations: 1_000_000,
            config: new() { ["operations"] = 1_000_000L, ["users"] = 1_000 }));
        Write(BenchTable.Files.Outage, Result(500, timeouts: 2));

        var (markdown, rows) = BenchTable.Build(_dir);
        BenchTable.Row Find(string start) => Assert.Single(rows, r => r.Figure.StartsWith(start, StringComparison.Ordinal));

        Assert.Equal("1,000", Find("pgbench tpcb-like tps (scale 10, 8 clients").Value);
        var deposits = Find("deposits/s, 10k wallets");
        Assert.Equal(("4,500", "4.50×", "pass"), (deposits.Value, deposits.Ratio, deposits.Verdict));
        Assert.Equal("pass", Find("deposits/s, 100k wallets").Verdict);
        Assert.Equal(("1.90×", "FAIL"), (Find("transfers/s, 10k wallets, 1 per call").Ratio, Find("transfers/s, 10k wallets, 1 per call").Verdict));
        Assert.Equal("pass", Find("transfers/s, 10k wallets, SubmitBatch of 100").Verdict);
        Assert.Equal("MISSING", Find("transfers/s, 100k wallets, 1 per call").Verdict);
        Assert.Equal("FAIL", Find("balance reads/s, 10k wallets, GetBalances (").Verdict);
        Assert.Equal("pass", Find("balance reads/s, 10k wallets, GetBalancesBatch of 100").Verdict);
        Assert.Equal(("12.5 ms", "pass"), (Find("deposits: p99 at half the maximum rate").Value, Find("deposits: p99 at half the maximum rate").Verdict));
        Assert.Equal("MISSING", Find("transfers: p99 at half the maximum rate").Verdict);
        Assert.Equal(("-11.1 %", "pass"), (Find("deposits: throughput 10k → 100k").Value, Find("deposits: throughput 10k → 100k").Verdict));
        Assert.Equal("FAIL", Find("long run: throughput at the end vs the start").Verdict);
        Assert.Equal("pass", Find("long run: operations completed of 1,000,000").Verdict);
        Assert.Equal("pass", Find("silo CPU per deposit, 10k").Verdict);
        Assert.Equal("FAIL", Find("silo CPU per deposit, 100k").Verdict);
        Assert.Equal("pass", Find("silo CPU per transfer, 10k").Verdict);
        Assert.Equal(("600 MiB", "FAIL"), (Find("silo RSS with 100k").Value, Find("silo RSS with 100k").Verdict));
        Assert.Equal(("0", "pass"), (Find("cold cluster funds 10,000 wallets").Value, Find("cold cluster funds 10,000 wallets").Verdict));
        Assert.Equal(("2", "FAIL"), (Find("Postgres outage").Value, Find("Postgres outage").Verdict));
        var reconcile = Find("reconcile after every phase (2 runs)");
        Assert.Equal(("1", "FAIL"), (reconcile.Value, reconcile.Verdict));
        Assert.Contains("transfer-10k: exit 3", reconcile.Figure);

        Assert.StartsWith("Benchmark ", markdown);
        Assert.Contains("| figure | value | × pgbench | target | result |", markdown);
        Assert.DoesNotContain(rows, r => r.Verdict == "pass" && r.Value == "not run");
    }

    [Fact]
    public void An_empty_folder_passes_nothing()
    {
        var (_, rows) = BenchTable.Build(_dir);
        Assert.DoesNotContain(rows, r => r.Verdict == "pass");
        Assert.Contains(rows, r => r.Verdict == "MISSING");
    }

}
