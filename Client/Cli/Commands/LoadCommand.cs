using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using OrleansWallet.Cli.Load;
using OrleansWallet.Client;

namespace OrleansWallet.Cli.Commands;

/// <summary>
/// <c>load</c>: the load generator (issue #7). <c>load table</c>: the benchmark table from a
/// folder of results (what scripts/bench.sh prints).
/// </summary>
internal static class LoadCommand
{
    public const int InvalidOptionsExitCode = 2;
    public const int DriftExitCode = 3;
    public const int SetupIncompleteExitCode = 4;

    /// <summary>Reconcile visits every wallet twice: with 100,000 wallets that is far beyond a call's 10 s deadline.</summary>
    private static readonly TimeSpan ReconcileDeadline = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan QuiescePoll = TimeSpan.FromSeconds(10);

    private static readonly Option<string?> Endpoints = new("--endpoints")
        { Description = "comma-separated gRPC endpoints to spread calls over (default: --endpoint), e.g. http://127.0.0.1:5001,http://127.0.0.1:5002" };
    private static readonly Option<int> Connections = new("--connections") { Description = "channels (HTTP/2 connections) per endpoint", DefaultValueFactory = _ => 1 };
    private static readonly Option<string> Scenario = new("--scenario")
        { Description = "baseline (one measured phase), ramp (step the rate up until latency breaks, then run at half), endurance (closed loop over --operations, default 1,000,000)", DefaultValueFactory = _ => "baseline" };
    private static readonly Option<string> Mix = new("--mix")
        { Description = "operations and relative weights: deposit, transfer, order (place, fill, cancel), read", DefaultValueFactory = _ => "deposit=40,transfer=40,order=10,read=10" };
    private static readonly Option<int> Users = new("--users") { Description = "wallets the load spreads over", DefaultValueFactory = _ => 1_000 };
    private static readonly Option<string?> UserPrefix = new("--user-prefix") { Description = "user ids are PREFIX-0 .. PREFIX-(users-1) (default lg-RUNID); reuse one to run on wallets funded earlier" };
    private static readonly Option<string?> RunId = new("--run-id") { Description = "starts every idempotency key (default: random); keys never repeat across runs with different ids" };
    private static readonly Option<string> Setup = new("--setup") { Description = "fund: deposit to every wallet first (measured as the 'setup' phase); none: wallets are funded already", DefaultValueFactory = _ => "fund" };
    private static readonly Option<int> SetupConcurrency = new("--setup-concurrency") { Description = "callers funding the wallets", DefaultValueFactory = _ => 256 };
    private static readonly Option<string> FundAmount = new("--fund-amount") { Description = "wei of ETH each wallet is funded with (base units)", DefaultValueFactory = _ => "1000000000000000000000000" };
    private static readonly Option<int> Concurrency = new("--concurrency") { Description = "closed loop: callers, each with one call in flight", DefaultValueFactory = _ => 64 };
    private static readonly Option<double?> Rate = new("--rate") { Description = "open loop: operations (mix picks) started per second, latency counted from each intended start; ramp: the starting rate" };
    private static readonly Option<int> MaxInFlight = new("--max-in-flight") { Description = "open loop: calls in flight at most", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<string?> Duration = new("--duration") { Description = "measured phase length, e.g. 30s, 2m (default 30s; endurance: until --operations)" };
    private static readonly Option<long?> Operations = new("--operations") { Description = "stop the measured phase after this many operations" };
    private static readonly Option<string> Warmup = new("--warmup") { Description = "load before measuring, not counted", DefaultValueFactory = _ => "5s" };
    private static readonly Option<int> Batch = new("--batch") { Description = "deposits/transfers per SubmitBatch call (1: one operation per call)", DefaultValueFactory = _ => 1 };
    private static readonly Option<int> ReadBatch = new("--read-batch") { Description = "users per GetBalancesBatch call (1: GetBalances)", DefaultValueFactory = _ => 1 };
    private static readonly Option<double> ReplayFraction = new("--replay-fraction") { Description = "share of single deposits/transfers re-sent with the caller's previous key and payload (a client retry; not in batches)", DefaultValueFactory = _ => 0 };
    private static readonly Option<double> OrderFillAll = new("--order-fill-all-fraction") { Description = "share of order lifecycles filled completely instead of half-filled then cancelled", DefaultValueFactory = _ => 0 };
    private static readonly Option<string> Deadline = new("--deadline") { Description = "deadline of one call including the SDK's retries", DefaultValueFactory = _ => "10s" };
    private static readonly Option<int?> MaxAttempts = new("--max-attempts") { Description = "attempts per call on Unavailable (the SDK's default: 4)" };
    private static readonly Option<double> RampStep = new("--ramp-step") { Description = "ramp: each step multiplies the rate by this", DefaultValueFactory = _ => 1.25 };
    private static readonly Option<string> RampStepDuration = new("--ramp-step-duration") { Description = "ramp: length of one step", DefaultValueFactory = _ => "10s" };
    private static readonly Option<string> RampP99Max = new("--ramp-p99-max") { Description = "ramp: a step whose p99 exceeds this breaks the ramp", DefaultValueFactory = _ => "100ms" };
    private static readonly Option<double> RampErrorMax = new("--ramp-error-max") { Description = "ramp: a step whose share of errors (not refusals) exceeds this breaks the ramp", DefaultValueFactory = _ => 0.001 };
    private static readonly Option<int> RampStepsMax = new("--ramp-steps-max") { Description = "ramp: steps at most", DefaultValueFactory = _ => 40 };
    private static readonly Option<int[]> SiloPids = new("--silo-pid") { Description = "pid of a local silo process to read CPU and RSS from /proc (repeatable; default: the processes listening on loopback endpoints' ports)" };
    private static readonly Option<bool> NoSiloDiscovery = new("--no-silo-discovery") { Description = "do not look for the silo processes behind loopback endpoints" };
    private static readonly Option<string[]> MetricsUrls = new("--metrics-url") { Description = "a silo's Prometheus /metrics (process_cpu_seconds_total, process_resident_memory_bytes); repeatable; credentials as http://user:pass@host/metrics or ORLEANS_WALLET_METRICS_USER/_PASSWORD" };
    private static readonly Option<string?> Out = new("--out") { Description = "results path prefix: writes PREFIX.json and PREFIX.html (default ./load-RUNID)" };
    private static readonly Option<bool> Quiet = new("--quiet") { Description = "no line per second" };
    private static readonly Option<bool> Reconcile = new("--reconcile") { Description = $"reconcile wallets with the ledger after the run (deadline {ReconcileDeadline.TotalMinutes:N0} min); exit code {DriftExitCode} on drift, 1 if it could not run" };
    private static readonly Option<int?> Seed = new("--seed") { Description = "seed of the random choices (default: random, recorded in the result)" };

    public static Command Create()
    {
        var load = new Command("load", "generate load: funded wallets, an operation mix, closed or open loop; live progress, JSON result and HTML report")
        {
            Endpoints, Connections, Scenario, Mix, Users, UserPrefix, RunId, Setup, SetupConcurrency, FundAmount, Concurrency, Rate,
            MaxInFlight, Duration, Operations, Warmup, Batch, ReadBatch, ReplayFraction, OrderFillAll, Deadline, MaxAttempts, RampStep,
            RampStepDuration, RampP99Max, RampErrorMax, RampStepsMax, SiloPids, NoSiloDiscovery, MetricsUrls, Out, Quiet, Reconcile, Seed,
        };
        load.SetAction(RunAsync);
        load.Subcommands.Add(BenchTableCommand.Create());
        load.Subcommands.Add(ReconcileCommand());
        load.Subcommands.Add(ReportCommand());
        return load;
    }

    /// <summary><c>load report --result R.json</c>: writes R.html again from a result (e.g. one copied from another machine).</summary>
    private static Command ReportCommand()
    {
        var resultOption = new Option<string>("--result") { Description = "a load result (JSON)", Required = true };
        var report = new Command("report", "write the HTML report of a load result (JSON) next to it") { resultOption };
        report.SetAction(async (r, _) =>
        {
            var path = r.GetValue(resultOption)!;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"--result: '{path}' does not exist");
                return InvalidOptionsExitCode;
            }
            LoadResult result;
            try
            {
                result = ResultWriter.FromJson(await File.ReadAllTextAsync(path));
            }
            catch (System.Text.Json.JsonException ex)
            {
                Console.Error.WriteLine($"--result: '{path}' is not a load result: {ex.Message}");
                return InvalidOptionsExitCode;
            }
            var html = Path.ChangeExtension(path, ".html");
            await File.WriteAllTextAsync(html, ResultWriter.Html(result));
            Console.WriteLine($"report: {html}");
            return 0;
        });
        return report;
    }

    /// <summary>
    /// <c>load reconcile</c>: the same check as <c>reconcile</c> with a deadline that fits a benchmark's
    /// wallet count (the shared command uses the SDK's 10 s; reconciling 100,000 wallets takes longer).
    /// </summary>
    private static Command ReconcileCommand()
    {
        var quiesce = new Option<string>("--quiesce-timeout")
        {
            Description = "repeat (every 10 s, up to this long) while journal entries wait in outboxes, transfers are in flight or the ledger " +
                          "is unavailable, and judge the first quiescent answer (0: judge the first answer)",
            DefaultValueFactory = _ => "0",
        };
        var reconcile = new Command("reconcile",
            $"reconcile every wallet with the ledger, with a {ReconcileDeadline.TotalMinutes:N0} min deadline; exit code {DriftExitCode} on drift, 1 if it could not run")
        {
            quiesce,
        };
        reconcile.SetAction(async (r, _) =>
        {
            var endpointText = r.GetValue(CliOptions.Endpoint) ?? "";
            var errors = new List<string>();
            var wait = Time(errors, "--quiesce-timeout", r.GetValue(quiesce));
            if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint))
                errors.Add($"--endpoint: '{endpointText}' is not an http:// or https:// address");
            if (errors.Count > 0)
            {
                foreach (var error in errors) Console.Error.WriteLine(error);
                return InvalidOptionsExitCode;
            }
            var exit = 0;
            var channelExit = await Run.WithChannel(r, async shared =>
            {
                var until = DateTime.UtcNow + wait;
                while (true)
                {
                    var result = await ReconcileAsync(shared.Options, endpoint!);
                    var quiescent = result.Error is null && result.OutboxEntries == 0 && result.PendingTransfers == 0;
                    if (quiescent || DateTime.UtcNow + QuiescePoll > until)
                    {
                        if (!quiescent && wait > TimeSpan.Zero)
                            Console.WriteLine($"reconcile: still not quiescent after {wait.TotalSeconds:N0} s: judging this answer");
                        exit = result.Differences > 0 ? DriftExitCode : result.Error is not null ? 1 : 0;
                        return;
                    }
                    // Entries still being flushed race the reconcile's two reads (journal sums, then outboxes):
                    // an entry can be counted twice or not at all, so only a quiescent answer tells drift.
                    Console.WriteLine($"reconcile: not quiescent ({result.OutboxEntries} entries in outboxes, {result.PendingTransfers} transfers " +
                                      $"in flight{(result.Error is null ? "" : ", ledger unavailable")}); again in {QuiescePoll.TotalSeconds:N0} s");
                    await Task.Delay(QuiescePoll);
                }
            });
            return channelExit != 0 ? channelExit : exit;
        });
        return reconcile;
    }

    /// <summary>Reads the options; every problem is reported, each naming its option.</summary>
    public static (LoadOptions? Options, IReadOnlyList<string> Errors) Read(ParseResult r)
    {
        var errors = new List<string>();
        var endpoints = new List<Uri>();
        var endpointText = r.GetValue(Endpoints);
        var endpointList = string.IsNullOrWhiteSpace(endpointText)
            ? [r.GetValue(CliOptions.Endpoint) ?? ""]
            : endpointText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var text in endpointList)
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") endpoints.Add(uri);
            else errors.Add($"{(string.IsNullOrWhiteSpace(endpointText) ? "--endpoint" : "--endpoints")}: '{text}' is not an http:// or https:// address");
        }

        LoadScenario scenario = LoadScenario.Baseline;
        if (!Enum.TryParse(r.GetValue(Scenario), ignoreCase: true, out scenario) || int.TryParse(r.GetValue(Scenario), out _))
            errors.Add($"--scenario: '{r.GetValue(Scenario)}' is not one of baseline, ramp, endurance");
        var setup = r.GetValue(Setup);
        if (setup is not ("fund" or "none")) errors.Add($"--setup: '{setup}' is not fund or none");
        var fundText = r.GetValue(FundAmount) ?? "";
        if (!(fundText.Length is > 0 and <= 78 && fundText.All(char.IsAsciiDigit)))
            errors.Add($"--fund-amount: '{fundText}' is not an amount in base units (base-10 digits only)");

        TimeSpan? duration = null;
        if (r.GetValue(Duration) is { } durationText) duration = Time(errors, "--duration", durationText);
        var options = new LoadOptions
        {
            Endpoints = endpoints,
            ConnectionsPerEndpoint = r.GetValue(Connections),
            Scenario = scenario,
            MixText = r.GetValue(Mix) ?? "",
            Users = r.GetValue(Users),
            UserPrefix = r.GetValue(UserPrefix),
            RunId = r.GetValue(RunId) ?? LoadOptions.NewRunId(),
            Fund = setup != "none",
            SetupConcurrency = r.GetValue(SetupConcurrency),
            FundAmount = errors.Any(e => e.StartsWith("--fund-amount", StringComparison.Ordinal)) ? BigInteger.One
                : BigInteger.Parse(fundText, NumberStyles.None, CultureInfo.InvariantCulture),
            Concurrency = r.GetValue(Concurrency),
            Rate = r.GetValue(Rate),
            MaxInFlight = r.GetValue(MaxInFlight),
            Duration = duration,
            Operations = r.GetValue(Operations),
            Warmup = Time(errors, "--warmup", r.GetValue(Warmup)),
            Batch = r.GetValue(Batch),
            ReadBatch = r.GetValue(ReadBatch),
            ReplayFraction = r.GetValue(ReplayFraction),
            OrderFillAllFraction = r.GetValue(OrderFillAll),
            Deadline = Time(errors, "--deadline", r.GetValue(Deadline)),
            MaxAttempts = r.GetValue(MaxAttempts),
            RampStepFactor = r.GetValue(RampStep),
            RampStepDuration = Time(errors, "--ramp-step-duration", r.GetValue(RampStepDuration)),
            RampP99Max = Time(errors, "--ramp-p99-max", r.GetValue(RampP99Max)),
            RampErrorRatioMax = r.GetValue(RampErrorMax),
            RampStepsMax = r.GetValue(RampStepsMax),
            SiloPids = r.GetValue(SiloPids) ?? [],
            DiscoverSilos = !r.GetValue(NoSiloDiscovery),
            MetricsUrls = Urls(errors, r.GetValue(MetricsUrls) ?? []),
            OutPrefix = r.GetValue(Out),
            Quiet = r.GetValue(Quiet),
            Reconcile = r.GetValue(Reconcile),
            Seed = r.GetValue(Seed),
        };
        errors.AddRange(options.Validate());
        return errors.Count == 0 ? (options, errors) : (null, errors.Distinct().ToList());
    }

    private static TimeSpan Time(List<string> errors, string option, string? text)
    {
        if (LoadOptions.TryParseDuration(text, out var value)) return value;
        errors.Add($"{option}: '{text}' is not a duration (e.g. 500ms, 30s, 2m, 1h)");
        return TimeSpan.FromSeconds(1);
    }

    private static List<Uri> Urls(List<string> errors, string[] texts)
    {
        var urls = new List<Uri>();
        foreach (var text in texts)
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri)) urls.Add(uri);
            else errors.Add($"--metrics-url: '{text}' is not an absolute URL");
        return urls;
    }

    private static async Task<int> RunAsync(ParseResult r, CancellationToken cancellationToken)
    {
        var (options, errors) = Read(r);
        if (options is null)
        {
            foreach (var error in errors) Console.Error.WriteLine(error);
            return InvalidOptionsExitCode;
        }

        var exit = 0;
        var channelExit = await Run.WithChannel(r, async shared =>
        {
            var channels = LoadChannels.Create(shared.Options, options);
            try
            {
                var pids = new List<int>(options.SiloPids);
                if (pids.Count == 0 && options.DiscoverSilos && options.MetricsUrls.Count == 0)
                {
                    pids.AddRange(ProcessSampler.DiscoverListeningPids(options.Endpoints));
                    foreach (var pid in pids) Console.WriteLine($"silo process {pid}: {ProcessSampler.CommandLine(pid)}");
                }
                using var sampler = new ProcessSampler(pids, options.MetricsUrls);
                var runner = new LoadRunner(options, channels, sampler, Console.Out);
                var result = await runner.RunAsync(cancellationToken);
                if (options.Reconcile) result.Reconcile = await ReconcileAsync(shared.Options, options.Endpoints[0]);
                var (json, html) = await ResultWriter.WriteAsync(result, options.EffectiveOutPrefix);
                Console.WriteLine($"result: {json}");
                Console.WriteLine($"report: {html}");
                if (result.Reconcile is { Differences: > 0 }) exit = DriftExitCode;
                else if (result.Reconcile is { Error: not null }) exit = 1;
                else if (result.Setup is { } setup && setup.Ok != setup.Operations) exit = SetupIncompleteExitCode;
            }
            finally
            {
                foreach (var channel in channels) channel.Dispose();
            }
        });
        return channelExit != 0 ? channelExit : exit;
    }

    private static async Task<ReconcileResult> ReconcileAsync(WalletClientOptions shared, Uri endpoint)
    {
        using var channel = new WalletChannel(LoadChannels.Derive(shared, endpoint, ReconcileDeadline, null));
        var watch = Stopwatch.StartNew();
        try
        {
            var report = await channel.Ledger.ReconcileAsync();
            foreach (var d in report.Differences.Take(20))
                Console.WriteLine($"DRIFT {d.UserId} {d.Asset} {d.Bucket}: wallet {d.WalletAmount}, ledger {d.LedgerAmount}");
            Console.WriteLine($"reconcile: {report.WalletsChecked:N0} wallets checked, {report.Differences.Count} differences; " +
                              $"{report.OutboxEntries} entries still in outboxes, {report.PendingTransfers} transfers in flight ({watch.Elapsed.TotalSeconds:N1} s)");
            return new ReconcileResult
            {
                WalletsChecked = report.WalletsChecked, Differences = report.Differences.Count, OutboxEntries = report.OutboxEntries,
                PendingTransfers = report.PendingTransfers, Seconds = Math.Round(watch.Elapsed.TotalSeconds, 1),
            };
        }
        catch (WalletApiException ex)
        {
            Console.Error.WriteLine($"reconcile failed ({ex.Status}, {ex.Reason}): {ex.Message}");
            return new ReconcileResult { Error = $"{ex.Status}/{ex.Reason}: {ex.Message}", Seconds = Math.Round(watch.Elapsed.TotalSeconds, 1) };
        }
    }
}
