using System.Numerics;
using System.Text;
using OrleansWallet.Client;

namespace OrleansWallet.Bank.Tests;

/// <summary>What a run found: the violations (must be none) and the printed summary.</summary>
public sealed record BankResult(IReadOnlyList<string> Violations, int ViolationCount, string Summary, string ReportPath);

/// <summary>
/// One bank run: start the cluster, fund the users, run the clients while the nemesis runs its
/// schedule, stop, wait for quiescence, check everything, report.
/// </summary>
public sealed class BankRun(BankSettings settings)
{
    /// <summary>Every user starts with this much of each asset: far above what a run moves, so most transfers succeed.</summary>
    private static readonly BigInteger StartingBalance = 1_000_000_000;

    private const int CoreSilos = 2;

    /// <summary>After the clients stop, an operation still retrying gets this long (no faults then) before it is abandoned.</summary>
    private static readonly TimeSpan SettleGrace = TimeSpan.FromSeconds(60);

    public async Task<BankResult> RunAsync()
    {
        var log = new RunLog();
        var random = new Random(settings.Seed);
        log.Event($"bank run: {settings}");
        Directory.CreateDirectory(settings.ReportDirectory);
        var reportPath = Path.Combine(settings.ReportDirectory, $"bank-seed{settings.Seed}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.txt");

        await using var cluster = await BankCluster.StartAsync(CoreSilos, settings.PostgresBreakDuration);
        log.Event($"cluster up: {string.Join(", ", cluster.Slots.Select(s => s.GrpcAddress))}; redis {cluster.Redis.Endpoint}, " +
                  $"postgres port {cluster.Postgres.Port}, kafka {cluster.Kafka.BootstrapServers}");
        var endpoints = new Endpoints(cluster.Credentials.OperatorToken());
        foreach (var slot in cluster.Slots) endpoints.Add(slot.GrpcAddress);
        using var events = OrderEventLog.Start(cluster.Kafka.BootstrapServers, BankCluster.OrderEventsTopic, BankCluster.OrderEventsPartitionCount);

        var users = Enumerable.Range(0, settings.Users).Select(i => $"user-{i:D3}").ToList();
        using var abandon = new CancellationTokenSource();
        var clients = Enumerable.Range(0, settings.Clients)
            .Select(i => new BankClient(i, random.Next(), log, endpoints, settings, users, abandon.Token)).ToList();
        var nemesis = new Nemesis(cluster, endpoints, settings, log, new Random(random.Next()), clients);
        TimeSpan phaseStart, phaseEnd;
        try
        {
            await SetUpAsync(cluster, clients, users);
            log.Event($"{users.Count} users funded with {StartingBalance} of {string.Join(", ", BankClient.Assets)}");

            using var stop = new CancellationTokenSource();
            phaseStart = log.Now;
            var running = clients.Select(c => Task.Run(() => c.RunAsync(stop.Token))).ToList();
            var sampling = SampleLoadAsync(stop.Token);
            try
            {
                await nemesis.RunAsync();
            }
            catch (Exception ex)
            {
                log.Violation("nemesis-failed", $"{ex.GetType().Name}: {ex.Message}");
            }
            await Task.Delay(settings.QuietTime);
            stop.Cancel();
            phaseEnd = log.Now;
            await sampling;
            log.Event("clients stopping (each finishes its operation in progress)");
            abandon.CancelAfter(SettleGrace);
            await Task.WhenAll(running);
            log.Event("clients stopped");

            await EnsureCoreSilosRunningAsync(cluster, log);
            var model = Merge(clients);
            var checks = new FinalChecks(cluster, model, users, events, log);
            await checks.RunAsync();
            JudgeStalls(nemesis.Faults, clients, log);

            var summary = Report(log, nemesis, clients, model, checks.Summary, phaseStart, phaseEnd);
            if (log.ViolationCount > 0) WriteSiloLogs(cluster, reportPath);
            await File.WriteAllTextAsync(reportPath, summary);
            return new BankResult(log.Violations, log.ViolationCount, summary, reportPath);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    private readonly List<double> _loads = [];

    /// <summary>
    /// The machine's load average every 30 s of the fault phase: stalls mean little on an
    /// overloaded machine (the test shares 2 cores with others), so the report shows how loaded it was.
    /// </summary>
    private async Task SampleLoadAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var text = await File.ReadAllTextAsync("/proc/loadavg", CancellationToken.None);
                _loads.Add(double.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                return; // not Linux: nothing to report
            }
            try { await Task.Delay(TimeSpan.FromSeconds(30), stop); }
            catch (OperationCanceledException) { }
        }
    }

    /// <summary>Withdrawal reference data (tier, limits, allow-list) and the starting deposits, before any fault.</summary>
    private static async Task SetUpAsync(BankCluster cluster, IReadOnlyList<BankClient> clients, IReadOnlyList<string> users)
    {
        using (var admin = new WalletChannel(new WalletClientOptions
               {
                   Address = new Uri(cluster.Slots[0].GrpcAddress), BearerToken = cluster.Credentials.OperatorToken(),
               }))
        {
            const int tier = 1;
            foreach (var asset in BankClient.Assets) await admin.Ledger.SetTierLimitAsync(tier, asset, BigInteger.Pow(10, 30));
            await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (user, _) =>
            {
                await admin.Ledger.UpsertUserAsync(user, tier);
                await admin.Ledger.AddToAllowlistAsync(user, "ethereum", BankClient.EthereumAddress);
                await admin.Ledger.AddToAllowlistAsync(user, "bitcoin", BankClient.BitcoinAddress);
            });
        }
        // Client i funds every clients.Count-th user: each client's facts are its own.
        await Task.WhenAll(clients.Select(async client =>
        {
            for (var u = client.Index; u < users.Count; u += clients.Count)
                foreach (var asset in BankClient.Assets)
                    await client.FundAsync(users[u], asset, StartingBalance);
        }));
    }

    private static async Task EnsureCoreSilosRunningAsync(BankCluster cluster, RunLog log)
    {
        foreach (var slot in cluster.Slots.Take(CoreSilos).Where(s => !s.Running))
        {
            try
            {
                await slot.RestartAsync();
                log.Event($"silo {slot.Index} started for the checks");
            }
            catch (Exception ex)
            {
                log.Violation("silo-start", $"silo {slot.Index} could not be started for the checks: {ex.Message.Split('\n')[0]}");
            }
        }
    }

    private static Model Merge(IReadOnlyList<BankClient> clients)
    {
        var model = new Model();
        foreach (var client in clients)
        {
            model.Deposits.AddRange(client.Deposits);
            model.Transfers.AddRange(client.Transfers);
            model.Withdrawals.AddRange(client.Withdrawals);
            model.Orders.AddRange(client.Orders);
        }
        return model;
    }

    private void JudgeStalls(IReadOnlyList<FaultRecord> faults, IReadOnlyList<BankClient> clients, RunLog log)
    {
        foreach (var fault in faults.Where(f => f.StallAsserted))
        {
            var stall = Stalls.Longest(clients, fault.Start, fault.RecoveredAt);
            if (stall.Length > settings.SiloKillStallMax)
                log.Violation("stall", $"after {fault.Name} at {RunLog.Stamp(fault.Start)}: longest stall {stall} > {settings.SiloKillStallMax.TotalSeconds:F0} s");
        }
    }

    private string Report(RunLog log, Nemesis nemesis, IReadOnlyList<BankClient> clients, Model model, IReadOnlyList<string> checks,
        TimeSpan phaseStart, TimeSpan phaseEnd)
    {
        var text = new StringBuilder();
        text.AppendLine("==== bank test ====");
        text.AppendLine($"settings: {settings}");
        text.AppendLine($"repeat:   BANK_SEED={settings.Seed} BANK_CLIENTS={settings.Clients} BANK_USERS={settings.Users} " +
                        $"BANK_FAULTS={string.Join(",", settings.Faults.Select(BankSettings.NameOf).DefaultIfEmpty("none"))}" +
                        $" BANK_DURATION_S={settings.Duration.TotalSeconds:F0}" +
                        (settings.PostgresOutage != new BankSettings().PostgresOutage ? $" BANK_POSTGRES_OUTAGE_S={settings.PostgresOutage.TotalSeconds:F0}" : "") +
                        (settings.OperationBound != new BankSettings().OperationBound ? $" BANK_OPERATION_BOUND_S={settings.OperationBound.TotalSeconds:F0}" : "") +
                        " bash scripts/bank.sh");
        text.AppendLine($"fault phase: {RunLog.Stamp(phaseStart)} .. {RunLog.Stamp(phaseEnd)}; run took {log.Now.TotalSeconds:F0} s; " +
                        $"machine load (1-min average, {Environment.ProcessorCount} cores) during the fault phase: {string.Join(" ", _loads.Select(l => l.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}");

        var acknowledged = clients.Sum(c => c.Acks.Count(a => !a.Kind.EndsWith(" refused", StringComparison.Ordinal)));
        var answered = log.Outcomes.Where(o => !o.Key.Contains(" retry:")).Sum(o => o.Value);
        text.AppendLine();
        text.AppendLine($"operations: {answered} answered definitely ({acknowledged} acknowledged successes), " +
                        $"{log.Outcomes.Where(o => o.Key.Contains(" retry:")).Sum(o => o.Value)} transient answers retried");
        foreach (var (key, count) in log.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
            text.AppendLine($"  {key,-70} {count,8}");
        var unknown = clients.SelectMany(c => c.Unknown).ToList();
        if (unknown.Count > 0)
        {
            text.AppendLine($"operations with no definite answer ({unknown.Count}; the model cannot be exact for them):");
            foreach (var u in unknown.Take(50)) text.AppendLine("  " + u);
        }
        text.AppendLine($"model: {model.Deposits.Count} deposits, {model.Transfers.Count} transfers, {model.Withdrawals.Count} withdrawals " +
                        $"({model.Withdrawals.Count(w => w.Outcome == WithdrawalOutcome.Completed)} completed, " +
                        $"{model.Withdrawals.Count(w => w.Outcome == WithdrawalOutcome.Failed)} failed, " +
                        $"{model.Withdrawals.Count(w => w.Outcome == WithdrawalOutcome.Pending)} pending), {model.Orders.Count} orders");

        text.AppendLine();
        text.AppendLine("faults:");
        foreach (var fault in nemesis.Faults)
        {
            var stall = Stalls.Longest(clients, fault.Start, fault.RecoveredAt);
            var judged = fault.StallAsserted
                ? stall.Length <= settings.SiloKillStallMax ? $"ok (<= {settings.SiloKillStallMax.TotalSeconds:F0} s)" : "VIOLATION"
                : "reported only";
            text.AppendLine($"  {fault}");
            text.AppendLine($"      longest stall: {stall}  [{judged}]");
            if (fault.RestartAt is { } restart)
            {
                text.AppendLine($"      of which until the new process was started ({RunLog.Stamp(restart)}): {Stalls.Longest(clients, fault.Start, restart)}");
                text.AppendLine($"      and while it started and joined: {Stalls.Longest(clients, restart, fault.RecoveredAt)}");
            }
            var withoutPostgres = Stalls.LongestWithoutPostgres(clients, fault.Start, fault.RecoveredAt);
            if (withoutPostgres != stall) text.AppendLine($"      longest stall not closed by a withdrawal request (needs Postgres): {withoutPostgres}");
        }
        text.AppendLine($"  longest stall outside every fault window (machine noise): {Stalls.LongestOutside(clients, nemesis.Faults, phaseStart, phaseEnd)}");
        var kills = nemesis.Faults.Where(f => f.StallAsserted).Select(f => Stalls.Longest(clients, f.Start, f.RecoveredAt)).ToList();
        text.AppendLine($"  LONGEST STALL AFTER A SILO KILL: {(kills.Count == 0 ? "no silo kill" : kills.MaxBy(s => s.Length)!.ToString())}");
        foreach (var note in nemesis.Notes) text.AppendLine("  note: " + note);

        text.AppendLine();
        text.AppendLine("checks:");
        foreach (var line in checks) text.AppendLine("  " + line);

        text.AppendLine();
        text.AppendLine($"VIOLATIONS: {log.ViolationCount}");
        foreach (var violation in log.Violations) text.AppendLine("  " + violation);
        if (log.ViolationCount > log.Violations.Count) text.AppendLine($"  ... and {log.ViolationCount - log.Violations.Count} more");

        text.AppendLine();
        text.AppendLine("timeline:");
        foreach (var e in log.Events.Where(e => !e.Contains("VIOLATION", StringComparison.Ordinal))) text.AppendLine("  " + e);
        return text.ToString();
    }

    private static void WriteSiloLogs(BankCluster cluster, string reportPath)
    {
        var directory = Path.ChangeExtension(reportPath, null) + "-silo-logs";
        Directory.CreateDirectory(directory);
        foreach (var slot in cluster.Slots)
            for (var i = 0; i < slot.History.Count; i++)
                File.WriteAllText(Path.Combine(directory, $"silo{slot.Index}-process{i}.log"), slot.History[i].Output);
    }
}
