using System.CommandLine;
using OrleansWallet.Cli.Commands;
using OrleansWallet.Integration.Tests;

namespace OrleansWallet.Cli.Tests;

/// <summary>
/// `orleans-wallet load` for a couple of seconds against a real cluster (a silo process on
/// redis-server, PostgreSQL and the Kafka mock), parsed and run exactly as from the shell.
/// </summary>
public sealed class LoadEndToEndTests : IAsyncLifetime
{
    private WalletCluster _cluster = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("load-e2e-").FullName;

    public async Task InitializeAsync() => _cluster = await WalletCluster.StartAsync(silos: 1);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Runs the CLI as the cluster's operator (every call needs a credential).</summary>
    private Task<int> CliAsync(params string[] args)
    {
        var root = new RootCommand { CliOptions.Endpoint, CliOptions.Token, CliOptions.ApiKey };
        root.Subcommands.Add(LoadCommand.Create());
        return root.Parse([.. args, "--token", _cluster.Credentials.OperatorToken()]).InvokeAsync();
    }

    [Fact]
    public async Task A_short_mixed_run_funds_the_wallets_measures_every_call_kind_and_leaves_no_drift()
    {
        var endpoint = _cluster.Silos[0].GrpcAddress;
        var prefix = Path.Combine(_dir, "closed");
        var exit = await CliAsync("--endpoint", endpoint, "load", "--users", "40", "--setup-concurrency", "16", "--concurrency", "8",
            "--warmup", "1s", "--duration", "2s", "--run-id", "e2e1", "--out", prefix, "--reconcile", "--seed", "1");
        Assert.Equal(0, exit);

        var result = ResultWriter.FromJson(await File.ReadAllTextAsync(prefix + ".json"));
        Assert.NotNull(result.Setup);
        Assert.Equal(40, result.Setup!.Operations);
        Assert.Equal(40, result.Setup.Ok);
        Assert.Equal(["warmup", "measured"], result.Phases.Select(p => p.Name));
        var measured = result.HeadlinePhase!;
        Assert.True(measured.Operations > 0);
        Assert.Equal(0, measured.Timeouts + measured.Failed + measured.Unavailable);
        foreach (var kind in new[] { "deposit", "transfer", "order_place", "order_fill", "order_cancel", "read" })
            Assert.True(measured.ByKind.ContainsKey(kind) || result.Phases[0].ByKind.ContainsKey(kind), $"no {kind} call in a 3 s mixed run");
        Assert.True(measured.LatencyMs.P99 > 0);
        Assert.NotEmpty(measured.Series);
        Assert.Equal(measured.Operations, measured.Series.Sum(p => p.Ops));
        // The silo was found behind its port and its CPU read from /proc.
        Assert.NotNull(measured.Cpu.SiloCpuSeconds);
        Assert.True(measured.Cpu.SiloCpuSeconds > 0);
        Assert.True(measured.Cpu.SiloRssMiBMax > 50);
        Assert.True(measured.Cpu.ClientCpuSeconds > 0);
        Assert.NotNull(result.Reconcile);
        Assert.Null(result.Reconcile!.Error);
        Assert.Equal(0, result.Reconcile.Differences);
        Assert.True(result.Reconcile.WalletsChecked >= 40);
        var html = await File.ReadAllTextAsync(prefix + ".html");
        Assert.Contains("<svg", html);
        Assert.DoesNotContain("<script", html);

        // Open loop on the same wallets: a fixed arrival rate, no funding.
        var open = Path.Combine(_dir, "open");
        exit = await CliAsync("--endpoint", endpoint, "load", "--users", "40", "--user-prefix", "lg-e2e1", "--setup", "none",
            "--mix", "deposit=1,transfer=1", "--rate", "40", "--warmup", "0", "--duration", "2s", "--run-id", "e2e2", "--out", open, "--quiet");
        Assert.Equal(0, exit);
        var openResult = ResultWriter.FromJson(await File.ReadAllTextAsync(open + ".json"));
        Assert.Null(openResult.Setup);
        var openPhase = Assert.Single(openResult.Phases);
        Assert.Equal("open", openPhase.Mode);
        Assert.InRange(openPhase.Operations, 60, 100);   // 40/s for 2 s, give or take the start
        Assert.Equal(0, openPhase.Timeouts + openPhase.Failed + openPhase.Refused);

        Assert.Equal(0, await CliAsync("--endpoint", endpoint, "load", "reconcile", "--quiesce-timeout", "30s"));
        File.Delete(open + ".html");
        Assert.Equal(0, await CliAsync("load", "report", "--result", open + ".json"));
        Assert.Contains("<svg", await File.ReadAllTextAsync(open + ".html"));
    }
}
