namespace OrleansWallet.Bank.Tests;

/// <summary>One injected fault on the run's clock; stalls are judged over [Start, RecoveredAt].</summary>
public sealed class FaultRecord(string name, string detail, TimeSpan start, bool stallAsserted)
{
    public string Name { get; } = name;
    public string Detail { get; set; } = detail;
    public TimeSpan Start { get; } = start;

    /// <summary>When the nemesis had undone the fault (process restarted, service back).</summary>
    public TimeSpan End { get; set; }

    /// <summary>When every client had a definite answer after <see cref="End"/> (or the wait gave up).</summary>
    public TimeSpan RecoveredAt { get; set; }

    /// <summary>When the killed silo's replacement was started: splits the stall into the kill's and the rejoin's part.</summary>
    public TimeSpan? RestartAt { get; set; }

    /// <summary>Issue #8 bounds the stall after a silo kill; other faults' stalls are reported only.</summary>
    public bool StallAsserted { get; } = stallAsserted;

    public override string ToString() =>
        $"{RunLog.Stamp(Start)} .. {RunLog.Stamp(End)} (clients recovered {RunLog.Stamp(RecoveredAt)})  {Name}: {Detail}";
}

/// <summary>
/// Runs the fault schedule while the clients run: each fault, then waits until every client has
/// been answered again, then a quiet spell. The first pass follows the configured order; later
/// passes (long run) a seeded shuffle of it.
/// </summary>
public sealed class Nemesis(BankCluster cluster, Endpoints endpoints, BankSettings settings, RunLog log, Random random,
    IReadOnlyList<BankClient> clients)
{
    /// <summary>The original silos: the nemesis kills and restarts only these (the third comes and goes).</summary>
    private const int CoreSilos = 2;

    /// <summary>How long to wait for every client to be answered again after a fault before moving on.</summary>
    private static readonly TimeSpan RecoveryWaitMax = TimeSpan.FromSeconds(30);

    /// <summary>A silo start is retried this often before the run goes on without it.</summary>
    private const int SiloStartAttemptsMax = 3;

    private readonly List<FaultRecord> _faults = [];

    public IReadOnlyList<FaultRecord> Faults => _faults;

    /// <summary>Notes that are not violations (e.g. a slow graceful stop), for the report.</summary>
    public List<string> Notes { get; } = [];

    public async Task RunAsync()
    {
        await Task.Delay(settings.QuietTime);
        var phaseStart = log.Now;
        if (settings.Faults.Count == 0)
        {
            await Task.Delay(settings.Duration > TimeSpan.Zero ? settings.Duration : TimeSpan.FromSeconds(20));
            return;
        }
        for (var round = 0; round == 0 || log.Now - phaseStart < settings.Duration; round++)
        {
            var schedule = round == 0 ? settings.Faults.ToList() : settings.Faults.OrderBy(_ => random.Next()).ToList();
            log.Event($"nemesis round {round + 1}: {string.Join(", ", schedule.Select(BankSettings.NameOf))}");
            foreach (var fault in schedule)
            {
                await RunAsync(fault);
                await Task.Delay(settings.QuietTime);
            }
        }
    }

    private Task RunAsync(FaultKind fault) => fault switch
    {
        FaultKind.SiloKill => KillSiloAsync(),
        FaultKind.RedisKill => KillRedisAsync(),
        FaultKind.PostgresStop => StopPostgresAsync(restartSiloMeanwhile: false),
        FaultKind.SiloRestartWhilePostgresDown => StopPostgresAsync(restartSiloMeanwhile: true),
        FaultKind.SiloAddRemove => AddAndRemoveSiloAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    private async Task KillSiloAsync()
    {
        var slot = PickCoreSilo();
        if (slot is null) return;
        var record = Begin("silo-kill", $"kill -9 silo {slot.Index} ({slot.GrpcAddress}, pid {slot.Process!.Pid})", stallAsserted: true);
        await slot.KillAsync();
        await Task.Delay(settings.SiloDownTime);
        record.RestartAt = log.Now;
        await StartSiloAsync(slot, "restart after kill -9");
        await FinishAsync(record);
    }

    private async Task KillRedisAsync()
    {
        var record = Begin("redis-kill", $"kill -9 redis-server on {cluster.Redis.Endpoint}, restart after {settings.RedisDownTime.TotalSeconds:F0} s");
        await cluster.Redis.KillAsync();
        await Task.Delay(settings.RedisDownTime);
        await cluster.Redis.StartAgainAsync();
        await FinishAsync(record);
    }

    private async Task StopPostgresAsync(bool restartSiloMeanwhile)
    {
        var record = Begin("postgres-stop", $"pg_ctl stop -m fast for {settings.PostgresOutage.TotalSeconds:F0} s" +
                                            (restartSiloMeanwhile ? ", a silo restarted meanwhile" : ""), stallAsserted: false);
        await cluster.Postgres.StopAsync();
        var outageEnd = log.Now + settings.PostgresOutage;
        SiloSlot? notStarted = null;
        if (restartSiloMeanwhile)
        {
            // Let the breaker open and outboxes grow first, so the restarted silo meets a real outage.
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, settings.PostgresOutage.TotalSeconds / 3)));
            var slot = PickCoreSilo();
            if (slot is not null)
            {
                var restart = Begin("silo-restart-pg-down", $"SIGTERM silo {slot.Index} ({slot.GrpcAddress}) and start it again while Postgres is down",
                    stallAsserted: false);
                // A planned restart: the balancer stops sending to it first, as Kubernetes does for a terminating pod.
                endpoints.Remove(slot.GrpcAddress);
                await slot.StopAsync();
                try
                {
                    await slot.RestartAsync();
                    endpoints.Add(slot.GrpcAddress);
                    log.Event($"silo {slot.Index} started while Postgres was down");
                }
                catch (Exception ex)
                {
                    notStarted = slot;
                    log.Violation("silo-start-while-postgres-down",
                        $"silo {slot.Index} did not start while Postgres was down: {Tail(ex.Message, 4)}");
                }
                restart.End = log.Now;
                restart.RecoveredAt = log.Now;
            }
        }
        var remaining = outageEnd - log.Now;
        if (remaining > TimeSpan.Zero) await Task.Delay(remaining);
        await cluster.Postgres.StartAsync();
        if (notStarted is not null) await StartSiloAsync(notStarted, "start again once Postgres is back");
        await FinishAsync(record);
    }

    private async Task AddAndRemoveSiloAsync()
    {
        var add = Begin("silo-add", "a third silo joins", stallAsserted: false);
        SiloSlot slot;
        try
        {
            slot = await cluster.AddSiloAsync();
        }
        catch (Exception ex)
        {
            log.Violation("silo-start", $"third silo did not start: {Tail(ex.Message, 4)}");
            await FinishAsync(add);
            return;
        }
        endpoints.Add(slot.GrpcAddress);
        await FinishAsync(add);
        await Task.Delay(settings.AddedSiloLifetime);

        var remove = Begin("silo-remove", $"SIGTERM the third silo ({slot.GrpcAddress}, pid {slot.Process!.Pid})", stallAsserted: false);
        endpoints.Remove(slot.GrpcAddress);
        var stopping = log.Now;
        await slot.StopAsync();
        var took = log.Now - stopping;
        remove.Detail += $"; it exited {took.TotalSeconds:F1} s after SIGTERM";
        if (took >= TimeSpan.FromSeconds(19))
            Notes.Add($"the third silo did not exit within {took.TotalSeconds:F0} s of SIGTERM (killed after the 20 s grace)");
        slot.Process = null;
        await FinishAsync(remove);
    }

    /// <summary>Starts the slot's silo again on its addresses, a few times if it must.</summary>
    private async Task StartSiloAsync(SiloSlot slot, string why)
    {
        for (var attempt = 1; attempt <= SiloStartAttemptsMax; attempt++)
        {
            try
            {
                await slot.RestartAsync();
                endpoints.Add(slot.GrpcAddress);
                log.Event($"silo {slot.Index} started ({why})");
                return;
            }
            catch (Exception ex)
            {
                log.Violation("silo-start", $"silo {slot.Index} ({why}), attempt {attempt}: {Tail(ex.Message, 4)}");
            }
        }
    }

    private SiloSlot? PickCoreSilo()
    {
        var running = cluster.Slots.Take(CoreSilos).Where(s => s.Running).ToList();
        if (running.Count < CoreSilos)
        {
            // Never take the last silo down: the run would measure an outage, not a failover.
            Notes.Add($"{RunLog.Stamp(log.Now)} skipped a silo fault: only {running.Count} core silo(s) running");
            return null;
        }
        return running[random.Next(running.Count)];
    }

    private FaultRecord Begin(string name, string detail, bool stallAsserted = false)
    {
        var record = new FaultRecord(name, detail, log.Now, stallAsserted);
        lock (_faults) _faults.Add(record);
        log.Event($"fault {name}: {detail}");
        return record;
    }

    /// <summary>Marks the fault undone, then waits until every client has been answered since.</summary>
    private async Task FinishAsync(FaultRecord record)
    {
        record.End = log.Now;
        var endTicks = record.End.Ticks;
        var deadline = log.Now + RecoveryWaitMax;
        while (clients.Any(c => c.LastAckTicks <= endTicks) && log.Now < deadline) await Task.Delay(50);
        record.RecoveredAt = log.Now;
        var behind = clients.Where(c => c.LastAckTicks <= endTicks).Select(c => c.Index).ToList();
        if (behind.Count > 0)
            Notes.Add($"{record.Name} at {RunLog.Stamp(record.Start)}: clients {string.Join(",", behind)} had no answer " +
                      $"within {RecoveryWaitMax.TotalSeconds:F0} s after it was undone");
        log.Event($"fault {record.Name} undone at {RunLog.Stamp(record.End)}, clients answered again by {RunLog.Stamp(record.RecoveredAt)}");
    }

    /// <summary>The first line of a failed start and the last exception lines of the silo's log (no stack frames).</summary>
    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n').Select(l => l.TrimEnd()).ToList();
        var exceptions = all.Skip(1)
            .Where(l => (l.Contains("Exception", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal))
                        && !l.TrimStart().StartsWith("at ", StringComparison.Ordinal))
            .Distinct().TakeLast(lines);
        return string.Join("\n    ", all.Take(1).Concat(exceptions));
    }
}
