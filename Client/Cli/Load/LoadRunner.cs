using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using OrleansWallet.Client;

namespace OrleansWallet.Cli.Load;

/// <summary>
/// Runs a load scenario: funds the wallets, then drives the mix closed-loop (callers) or
/// open-loop (arrival rate) through warm-up and measured phases (or the ramp's steps), prints a
/// line per second, and returns what every phase saw, with the silos' and its own CPU.
/// </summary>
public sealed class LoadRunner
{
    /// <summary>
    /// A second is closed this long after it ends: calls completing at its very end have been
    /// recorded by then, and a live line still follows each second closely.
    /// </summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// An open-loop call that starts later than this after its intended time is a "late start":
    /// the generator itself could not keep up. 10 ms is well above timer granularity (~1 ms) and
    /// thread-pool hops on a busy 2-core machine, and well below any latency bound judged.
    /// </summary>
    private static readonly TimeSpan LateStartThreshold = TimeSpan.FromMilliseconds(10);

    /// <summary>A ramp step holds only if it completed at least this share of the operations offered.</summary>
    private const double RampAchievedShareMin = 0.9;

    /// <summary>
    /// A ramp whose starting rate already breaks the bounds halves it, at most this often (1/16 of
    /// the start), before giving up: a start chosen from a noisy closed-loop figure still finds a rate that holds.
    /// </summary>
    private const int RampDownStepsMax = 4;

    /// <summary>Below one operation per second a p99 means nothing.</summary>
    private const double RampRateMin = 1;

    private readonly LoadOptions _options;
    private readonly IReadOnlyList<WalletChannel> _channels;
    private readonly ProcessSampler _sampler;
    private readonly TextWriter _out;
    private readonly RecorderSwitch _recorders;
    private readonly Workload _workload;
    private readonly OperationMix _mix;
    private readonly int _seed;
    private volatile bool _stop;
    private long _issued;

    /// <summary>Every caller of the run gets its own id (it starts its keys), across all phases and ramp steps.</summary>
    private int _nextWorkerId = -1;

    public LoadRunner(LoadOptions options, IReadOnlyList<WalletChannel> channels, ProcessSampler sampler, TextWriter output)
    {
        _options = options;
        _channels = channels;
        _sampler = sampler;
        _out = output;
        _recorders = new RecorderSwitch(new PhaseRecorder("idle", Stopwatch.GetTimestamp()));
        _workload = new Workload(options, channels, _recorders);
        _mix = options.Mix;
        _seed = options.Seed ?? Random.Shared.Next();
    }

    public async Task<LoadResult> RunAsync(CancellationToken cancellationToken)
    {
        var result = new LoadResult { RunId = _options.RunId, StartedAt = DateTimeOffset.UtcNow, Config = Config() };
        Say($"load {_options.RunId}: {_options.Users:N0} wallets ({_options.EffectiveUserPrefix}-0..), mix {_mix}, " +
            $"{(_options.Rate is { } r ? $"open loop {r:N0}/s" : $"closed loop {_options.Concurrency} callers")}, " +
            $"{_channels.Count} channel(s) to {string.Join(", ", _options.Endpoints)}; silo figures from {_sampler.Describe()}");

        using var registration = cancellationToken.Register(() => _stop = true);
        if (_options.Fund) result.Setup = await SetupAsync(cancellationToken);
        if (!cancellationToken.IsCancellationRequested)
        {
            switch (_options.Scenario)
            {
                case LoadScenario.Ramp:
                    await RampAsync(result, cancellationToken);
                    break;
                default:
                    await SteadyAsync(result, cancellationToken);
                    break;
            }
        }
        result.FinishedAt = DateTimeOffset.UtcNow;
        return result;
    }

    private Dictionary<string, object?> Config() => new()
    {
        ["scenario"] = _options.Scenario.ToString().ToLowerInvariant(),
        ["endpoints"] = _options.Endpoints.Select(e => e.ToString()).ToList(),
        ["connectionsPerEndpoint"] = _options.ConnectionsPerEndpoint,
        ["mix"] = _mix.ToString(),
        ["users"] = _options.Users,
        ["userPrefix"] = _options.EffectiveUserPrefix,
        ["fund"] = _options.Fund,
        ["setupConcurrency"] = _options.SetupConcurrency,
        ["fundAmount"] = _options.FundAmount.ToString(CultureInfo.InvariantCulture),
        ["mode"] = _options.Rate is null ? "closed" : "open",
        ["concurrency"] = _options.Rate is null ? _options.Concurrency : null,
        ["rate"] = _options.Rate,
        ["maxInFlight"] = _options.MaxInFlight,
        ["durationSeconds"] = _options.EffectiveDuration == TimeSpan.MaxValue ? null : _options.EffectiveDuration.TotalSeconds,
        ["operations"] = _options.EffectiveOperations,
        ["warmupSeconds"] = _options.Warmup.TotalSeconds,
        ["batch"] = _options.Batch,
        ["readBatch"] = _options.ReadBatch,
        ["replayFraction"] = _options.ReplayFraction,
        ["orderFillAllFraction"] = _options.OrderFillAllFraction,
        ["deadlineSeconds"] = _options.Deadline.TotalSeconds,
        ["maxAttempts"] = _options.MaxAttempts,
        ["rampStepFactor"] = _options.Scenario == LoadScenario.Ramp ? _options.RampStepFactor : null,
        ["rampStepSeconds"] = _options.Scenario == LoadScenario.Ramp ? _options.RampStepDuration.TotalSeconds : null,
        ["rampP99MaxMs"] = _options.Scenario == LoadScenario.Ramp ? _options.RampP99Max.TotalMilliseconds : null,
        ["rampErrorRatioMax"] = _options.Scenario == LoadScenario.Ramp ? _options.RampErrorRatioMax : null,
        ["seed"] = _seed,
        ["siloSources"] = _sampler.Describe(),
    };

    // ---------------------------------------------------------------- setup

    private async Task<PhaseResult> SetupAsync(CancellationToken cancellationToken)
    {
        Say($"setup: funding {_options.Users:N0} wallets with {_options.FundAmount} wei {Workload.FundedAsset} each, {_options.SetupConcurrency} callers");
        var phase = await BeginAsync("setup", "closed", _options.SetupConcurrency, null);
        var next = -1;
        var workers = new Task[Math.Min(_options.SetupConcurrency, _options.Users)];
        for (var i = 0; i < workers.Length; i++)
        {
            var worker = NewWorker();
            workers[i] = Task.Run(async () =>
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var index = Interlocked.Increment(ref next);
                    if (index >= _options.Users) break;
                    await Task.Yield();
                    await _workload.FundAsync(worker, index);
                }
            }, CancellationToken.None);
        }
        await Task.WhenAll(workers);
        return await EndAsync(phase, Idle());
    }

    // ---------------------------------------------------------------- baseline / endurance

    private async Task SteadyAsync(LoadResult result, CancellationToken cancellationToken)
    {
        var open = _options.Rate is not null;
        var mode = open ? "open" : "closed";
        int? concurrency = open ? null : _options.Concurrency;
        var limit = _options.EffectiveOperations;
        var duration = _options.EffectiveDuration;
        _stop = false;

        var phase = _options.Warmup > TimeSpan.Zero
            ? await BeginAsync("warmup", mode, concurrency, _options.Rate)
            : await BeginAsync("measured", mode, concurrency, _options.Rate);
        var driver = open
            ? Task.Run(() => OpenLoopAsync(new OpenLoopSchedule(Stopwatch.GetTimestamp(), _options.Rate!.Value, Stopwatch.Frequency),
                long.MaxValue, limit), CancellationToken.None)
            : Task.Run(() => ClosedLoopAsync(_options.Concurrency, limit), CancellationToken.None);

        if (_options.Warmup > TimeSpan.Zero)
        {
            await Task.WhenAny(driver, Task.Delay(_options.Warmup, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default));
            // The operations budget counts from the measured phase on.
            Interlocked.Exchange(ref _issued, 0);
            var measured = NewRecorder("measured");
            result.Phases.Add(await EndAsync(phase, measured));
            phase = Begin(measured, mode, concurrency, _options.Rate, await SnapshotAsync());
        }

        if (duration != TimeSpan.MaxValue)
        {
            var remaining = duration;
            await Task.WhenAny(driver, Task.Delay(remaining, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default));
        }
        else
        {
            await Task.WhenAny(driver, Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default));
        }
        _stop = true;
        await driver;
        var measuredResult = await EndAsync(phase, Idle());
        result.Phases.Add(measuredResult);
        result.Headline = measuredResult.Name;
    }

    private async Task ClosedLoopAsync(int concurrency, long? limit)
    {
        var workers = new Task[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            var worker = NewWorker();
            workers[i] = Task.Run(() => WorkerLoopAsync(worker, limit));
        }
        await Task.WhenAll(workers);
    }

    private WorkerState NewWorker()
    {
        var id = Interlocked.Increment(ref _nextWorkerId);
        return _workload.NewWorker(id, unchecked(_seed + 1_000_003 * (id + 1)));
    }

    private async Task WorkerLoopAsync(WorkerState worker, long? limit)
    {
        while (!_stop)
        {
            var operation = _mix.Pick(worker.Random);
            if (limit is { } max)
            {
                var size = _workload.OperationsPerPick(operation);
                if (Interlocked.Add(ref _issued, size) - size >= max) break;
            }
            // Callers on a 2-core machine starve each other unless each call starts from the pool's queue.
            await Task.Yield();
            await _workload.RunAsync(worker, operation, 0);
        }
    }

    // ---------------------------------------------------------------- open loop

    /// <summary>
    /// Starts operations on <paramref name="schedule"/> until <paramref name="untilTicks"/> or the
    /// budget, never more than --max-in-flight at once (past it the schedule waits and the latency,
    /// counted from the intended start, grows as a real client's would). Returns when every started
    /// operation has completed.
    /// </summary>
    private async Task OpenLoopAsync(OpenLoopSchedule schedule, long untilTicks, long? limit)
    {
        var pool = new ConcurrentBag<WorkerState>();
        var created = 0;
        var inFlight = 0;
        long index = 0;
        var lateTicks = (long)(LateStartThreshold.TotalSeconds * Stopwatch.Frequency);
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatching = 1;   // counts the dispatcher itself, so allDone fires only after it stopped

        async Task RunOne(WorkerState worker, MixOperation operation, long intended)
        {
            await Task.Yield();
            try
            {
                await _workload.RunAsync(worker, operation, intended);
                var recorder = _recorders.Enter();
                recorder.RecordPick();
                RecorderSwitch.Exit(recorder);
            }
            finally
            {
                pool.Add(worker);
                if (Interlocked.Decrement(ref inFlight) == 0 && Volatile.Read(ref dispatching) == 0) allDone.TrySetResult();
            }
        }

        while (!_stop)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= untilTicks) break;
            if (limit is { } max && Interlocked.Read(ref _issued) >= max) break;
            var due = schedule.DueCount(now);
            while (index < due && !_stop)
            {
                if (!pool.TryTake(out var worker))
                {
                    if (created >= _options.MaxInFlight) break;
                    worker = NewWorker();
                    created++;
                }
                var intended = schedule.IntendedTicks(index);
                var operation = _mix.Pick(worker.Random);
                if (limit is not null) Interlocked.Add(ref _issued, _workload.OperationsPerPick(operation));
                if (now - intended > lateTicks)
                {
                    var recorder = _recorders.Enter();
                    recorder.RecordLateStart();
                    RecorderSwitch.Exit(recorder);
                }
                Interlocked.Increment(ref inFlight);
                _ = RunOne(worker, operation, intended);
                index++;
                if (limit is { } cap && Interlocked.Read(ref _issued) >= cap) break;
            }
            var wait = schedule.TicksUntil(index, Stopwatch.GetTimestamp());
            var waitMs = Math.Max(1, (int)(wait * 1000 / Stopwatch.Frequency));
            await Task.Delay(Math.Min(waitMs, 50));
        }
        Volatile.Write(ref dispatching, 0);
        if (Volatile.Read(ref inFlight) == 0) allDone.TrySetResult();
        await allDone.Task;
    }

    // ---------------------------------------------------------------- ramp

    private async Task RampAsync(LoadResult result, CancellationToken cancellationToken)
    {
        var ramp = new RampResult
        {
            P99BoundMs = _options.RampP99Max.TotalMilliseconds,
            ErrorRatioMax = _options.RampErrorRatioMax,
        };
        result.Ramp = ramp;
        var rate = _options.Rate!.Value;

        if (_options.Warmup > TimeSpan.Zero)
            result.Phases.Add(await OpenPhaseAsync("warmup", rate, _options.Warmup));

        PhaseResult? best = null;
        var downSteps = 0;
        for (var step = 1; step <= _options.RampStepsMax && !cancellationToken.IsCancellationRequested; step++)
        {
            var phase = await OpenPhaseAsync($"ramp-{step}", rate, _options.RampStepDuration);
            result.Phases.Add(phase);
            var verdict = Judge(phase, rate, out var achieved, out var errorRatio);
            var held = verdict == "held";
            ramp.Steps.Add(new RampStep(Math.Round(rate, 1), Math.Round(achieved, 1), Math.Round(phase.OpsPerSecond, 1), phase.LatencyMs.P99,
                Math.Round(errorRatio, 5), held, verdict));
            Say($"ramp step {step}: offered {rate:N0}/s, achieved {achieved:N0}/s, p99 {phase.LatencyMs.P99:N1} ms, errors {errorRatio:P2}: {verdict}");
            if (!held)
            {
                // Nothing held yet: the start was above what holds, so halve it and climb again from there.
                if (best is null && downSteps < RampDownStepsMax && rate / 2 >= RampRateMin)
                {
                    downSteps++;
                    rate /= 2;
                    continue;
                }
                break;
            }
            best = phase;
            ramp.MaxSustainableRate = Math.Round(rate, 1);
            ramp.MaxSustainableOpsPerSecond = Math.Round(phase.OpsPerSecond, 1);
            rate *= _options.RampStepFactor;
        }

        if (cancellationToken.IsCancellationRequested) return;
        if (best is null)
        {
            Say($"ramp: no step held (the start and up to {RampDownStepsMax} halvings of it all broke the bounds): no half-rate run; lower --rate");
            return;
        }
        var half = ramp.MaxSustainableRate / 2;
        Say($"ramp: highest rate that held {ramp.MaxSustainableRate:N0}/s; now {_options.EffectiveDuration.TotalSeconds:N0} s at half of it, {half:N0}/s");
        var halfPhase = await OpenPhaseAsync("half-rate", half, _options.EffectiveDuration == TimeSpan.MaxValue
            ? LoadOptions.DurationDefault
            : _options.EffectiveDuration);
        result.Phases.Add(halfPhase);
        ramp.HalfRate = Math.Round(half, 1);
        ramp.HalfRateP99Ms = halfPhase.LatencyMs.P99;
        result.Headline = halfPhase.Name;
    }

    private string Judge(PhaseResult phase, double rate, out double achieved, out double errorRatio)
    {
        achieved = phase.DurationSeconds > 0 ? phase.Picks / phase.DurationSeconds : 0;
        var errors = phase.Unavailable + phase.Timeouts + phase.Failed;
        errorRatio = phase.Operations > 0 ? (double)errors / phase.Operations : 0;
        if (phase.LatencyMs.P99 > _options.RampP99Max.TotalMilliseconds)
            return $"p99 {phase.LatencyMs.P99:N1} ms above {_options.RampP99Max.TotalMilliseconds:N0} ms";
        if (errorRatio > _options.RampErrorRatioMax) return $"errors {errorRatio:P2} above {_options.RampErrorRatioMax:P2}";
        if (achieved < rate * RampAchievedShareMin) return $"achieved {achieved:N0}/s below {RampAchievedShareMin:P0} of {rate:N0}/s";
        return "held";
    }

    /// <summary>One open-loop phase at <paramref name="rate"/> for <paramref name="duration"/>, ending when its last call has answered.</summary>
    private async Task<PhaseResult> OpenPhaseAsync(string name, double rate, TimeSpan duration)
    {
        _stop = false;
        var phase = await BeginAsync(name, "open", null, rate);
        var start = Stopwatch.GetTimestamp();
        var until = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await OpenLoopAsync(new OpenLoopSchedule(start, rate, Stopwatch.Frequency), until, null);
        // The phase's time is the schedule's: in-flight calls finishing after it still count, but the rate divides by the offered window.
        return await EndAsync(phase, Idle(), scheduledSeconds: duration.TotalSeconds);
    }

    // ---------------------------------------------------------------- phases

    private sealed class ActivePhase(PhaseRecorder recorder, string mode, int? concurrency, double? rate, CpuSnapshot start)
    {
        public PhaseRecorder Recorder { get; } = recorder;
        public string Mode { get; } = mode;
        public int? Concurrency { get; } = concurrency;
        public double? Rate { get; } = rate;
        public CpuSnapshot Start { get; } = start;
        public Dictionary<string, long> RssMax { get; } = [];
        public CancellationTokenSource ReporterStop { get; } = new();
        public Task Reporter { get; set; } = Task.CompletedTask;
    }

    private sealed record CpuSnapshot(long Ticks, double ClientCpuSeconds, IReadOnlyList<ProcessSample> Silos);

    private PhaseRecorder NewRecorder(string name) => new(name, Stopwatch.GetTimestamp());

    private PhaseRecorder Idle() => NewRecorder("idle");

    private async Task<ActivePhase> BeginAsync(string name, string mode, int? concurrency, double? rate)
    {
        var snapshot = await SnapshotAsync();
        var recorder = NewRecorder(name);
        await _recorders.SwitchAsync(recorder);
        return Begin(recorder, mode, concurrency, rate, snapshot);
    }

    private ActivePhase Begin(PhaseRecorder recorder, string mode, int? concurrency, double? rate, CpuSnapshot snapshot)
    {
        var phase = new ActivePhase(recorder, mode, concurrency, rate, snapshot);
        foreach (var silo in snapshot.Silos) phase.RssMax[silo.Source] = silo.RssBytes;
        phase.Reporter = Task.Run(() => ReportAsync(phase));
        return phase;
    }

    /// <summary>Switches recording to <paramref name="next"/> and closes <paramref name="phase"/>: its last second, its CPU, its result.</summary>
    private async Task<PhaseResult> EndAsync(ActivePhase phase, PhaseRecorder next, double? scheduledSeconds = null)
    {
        var end = await SnapshotAsync();
        var previous = await _recorders.SwitchAsync(next);
        await phase.ReporterStop.CancelAsync();
        await phase.Reporter;
        previous.Finish(end.Ticks);
        foreach (var silo in end.Silos) phase.RssMax[silo.Source] = Math.Max(phase.RssMax.GetValueOrDefault(silo.Source), silo.RssBytes);
        var result = Summarize(phase, end, scheduledSeconds);
        PrintSummary(result);
        return result;
    }

    private async Task<CpuSnapshot> SnapshotAsync()
    {
        var silos = await _sampler.SampleAsync();
        return new CpuSnapshot(Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, silos);
    }

    private async Task ReportAsync(ActivePhase phase)
    {
        var recorder = phase.Recorder;
        var token = phase.ReporterStop.Token;
        var last = phase.Start;
        var graceTicks = (long)(CloseGrace.TotalSeconds * Stopwatch.Frequency);
        for (long second = 0; !token.IsCancellationRequested; second++)
        {
            var due = recorder.StartTicks + (second + 1) * Stopwatch.Frequency + graceTicks;
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            var point = recorder.CloseSecond(second);
            var now = await SnapshotAsync();
            var wall = (double)(now.Ticks - last.Ticks) / Stopwatch.Frequency;
            if (wall > 0)
            {
                point.ClientCpuPct = Math.Round((now.ClientCpuSeconds - last.ClientCpuSeconds) / wall * 100, 1);
                if (now.Silos.Count > 0 && last.Silos.Count == now.Silos.Count)
                    point.SiloCpuPct = Math.Round((Sum(now.Silos) - Sum(last.Silos)) / wall * 100, 1);
            }
            foreach (var silo in now.Silos) phase.RssMax[silo.Source] = Math.Max(phase.RssMax.GetValueOrDefault(silo.Source), silo.RssBytes);
            last = now;
            if (!_options.Quiet) _out.WriteLine(LiveLine(recorder, point, second + 1));
        }
    }

    private static double Sum(IReadOnlyList<ProcessSample> samples)
    {
        double total = 0;
        foreach (var s in samples) total += s.CpuSeconds;
        return total;
    }

    private static string LiveLine(PhaseRecorder recorder, SeriesPoint point, long second)
    {
        long ok = 0, refused = 0, unavailable = 0, timeouts = 0, failed = 0;
        foreach (var t in recorder.AllTotals())
        {
            ok += t.Ok;
            refused += t.Refused;
            unavailable += t.Unavailable;
            timeouts += t.Timeouts;
            failed += t.Failed;
        }
        var line = $"[{recorder.Name} {second,4}s] {point.OpsPerSecond,9:N0} ops/s {point.Calls / point.Seconds,8:N0} calls/s  " +
                   $"p50 {point.P50Ms,7:N1} ms  p99 {point.P99Ms,7:N1} ms  max {point.MaxMs,7:N0} ms | ok {ok:N0}";
        if (refused > 0) line += $" refused {refused:N0}";
        if (unavailable > 0) line += $" unavailable {unavailable:N0}";
        if (timeouts > 0) line += $" TIMEOUTS {timeouts:N0}";
        if (failed > 0) line += $" failed {failed:N0}";
        var failures = recorder.Failures();
        if (failures.Count > 0)
        {
            var shown = new List<string>();
            for (var i = 0; i < failures.Count && i < 3; i++) shown.Add($"{failures[i].Label} {failures[i].Count:N0}");
            line += " (" + string.Join(", ", shown) + (failures.Count > 3 ? ", ..." : "") + ")";
        }
        if (point.SiloCpuPct is { } silo) line += $" | silo cpu {silo:N0}%";
        if (point.ClientCpuPct is { } client) line += $" client {client:N0}%";
        return line;
    }

    private PhaseResult Summarize(ActivePhase phase, CpuSnapshot end, double? scheduledSeconds)
    {
        var recorder = phase.Recorder;
        var elapsed = (double)(end.Ticks - phase.Start.Ticks) / Stopwatch.Frequency;
        var seconds = scheduledSeconds ?? elapsed;
        var result = new PhaseResult
        {
            Name = recorder.Name,
            Mode = phase.Mode,
            Concurrency = phase.Concurrency,
            TargetRate = phase.Rate is { } r ? Math.Round(r, 1) : null,
            DurationSeconds = Math.Round(seconds, 3),
            Replayed = recorder.Replayed,
            LateStarts = recorder.LateStarts,
            Lifecycles = recorder.Lifecycles,
            Picks = recorder.Picks,
            LatencyMs = Percentiles.Of(recorder.TotalLatency),
            LifecycleLatencyMs = recorder.Lifecycles > 0 ? Percentiles.Of(recorder.LifecycleLatency) : null,
            Series = [.. recorder.Series],
        };
        foreach (var t in recorder.AllTotals())
        {
            result.ByKind[Outcomes.Name(t.Kind)] = new KindResult
            {
                Calls = t.Calls, Operations = t.Operations, OpsPerSecond = Math.Round(t.Operations / seconds, 1),
                Ok = t.Ok, Refused = t.Refused, Unavailable = t.Unavailable, Timeouts = t.Timeouts, Failed = t.Failed,
                LatencyMs = Percentiles.Of(t.Latency),
            };
            result.Calls += t.Calls;
            result.Operations += t.Operations;
            result.Ok += t.Ok;
            result.Refused += t.Refused;
            result.Unavailable += t.Unavailable;
            result.Timeouts += t.Timeouts;
            result.Failed += t.Failed;
        }
        foreach (var (kind, label, count) in recorder.Failures()) result.Failures.Add(new FailureCount(Outcomes.Name(kind), label, count));
        result.OpsPerSecond = Math.Round(result.Operations / seconds, 1);
        result.CallsPerSecond = Math.Round(result.Calls / seconds, 1);
        result.LifecyclesPerSecond = Math.Round(result.Lifecycles / seconds, 1);
        result.Throughput = ThroughputTrend.Of(result.Series);

        var cpu = result.Cpu;
        cpu.Sources = _sampler.Describe();
        cpu.ClientCpuSeconds = Math.Round(end.ClientCpuSeconds - phase.Start.ClientCpuSeconds, 3);
        cpu.ClientCpuPct = elapsed > 0 ? Math.Round(cpu.ClientCpuSeconds / elapsed * 100, 1) : 0;
        cpu.ClientCpuUsPerOp = result.Operations > 0 ? Math.Round(cpu.ClientCpuSeconds * 1e6 / result.Operations, 1) : 0;
        if (end.Silos.Count > 0)
        {
            double total = 0;
            foreach (var silo in end.Silos)
            {
                var before = phase.Start.Silos.FirstOrDefault(s => s.Source == silo.Source);
                var used = before is null ? 0 : silo.CpuSeconds - before.CpuSeconds;
                total += used;
                cpu.Silos.Add(new SiloFigures(silo.Source, Math.Round(used, 3), MiB(silo.RssBytes),
                    MiB(phase.RssMax.GetValueOrDefault(silo.Source, silo.RssBytes))));
            }
            cpu.SiloCpuSeconds = Math.Round(total, 3);
            cpu.SiloCpuPct = elapsed > 0 ? Math.Round(total / elapsed * 100, 1) : null;
            cpu.SiloCpuUsPerOp = result.Operations > 0 ? Math.Round(total * 1e6 / result.Operations, 1) : null;
            cpu.SiloCpuSecondsPer1000Ops = result.Operations > 0 ? Math.Round(total * 1000 / result.Operations, 4) : null;
            cpu.SiloRssMiBMax = cpu.Silos.Count > 0 ? cpu.Silos.Max(s => s.RssMiBMax) : null;
        }
        return result;
    }

    private static double MiB(long bytes) => Math.Round(bytes / 1048576.0, 1);

    private void PrintSummary(PhaseResult p)
    {
        if (p.Name == "idle") return;
        var rateText = p.Mode == "open" ? $"open loop {p.TargetRate:N0}/s" : $"closed loop {p.Concurrency} callers";
        _out.WriteLine($"== {p.Name}: {p.Operations:N0} ops in {p.DurationSeconds:N1} s = {p.OpsPerSecond:N0} ops/s ({p.CallsPerSecond:N0} calls/s, {rateText}); " +
                       $"p50 {p.LatencyMs.P50:N1} ms p99 {p.LatencyMs.P99:N1} ms max {p.LatencyMs.Max:N0} ms; " +
                       $"ok {p.Ok:N0} refused {p.Refused:N0} unavailable {p.Unavailable:N0} timeouts {p.Timeouts:N0} failed {p.Failed:N0}" +
                       (p.LateStarts > 0 ? $"; late starts {p.LateStarts:N0}" : ""));
        foreach (var (kind, k) in p.ByKind)
            _out.WriteLine($"   {kind,-15} {k.Operations,10:N0} ops {k.OpsPerSecond,9:N0}/s  p50 {k.LatencyMs.P50,7:N1}  p99 {k.LatencyMs.P99,7:N1}  max {k.LatencyMs.Max,7:N0} ms" +
                           (k.Operations != k.Ok ? $"  (refused {k.Refused:N0}, unavailable {k.Unavailable:N0}, timeouts {k.Timeouts:N0}, failed {k.Failed:N0})" : ""));
        if (p.Lifecycles > 0)
            _out.WriteLine($"   order lifecycles {p.Lifecycles:N0} ({p.LifecyclesPerSecond:N0}/s), p99 {p.LifecycleLatencyMs!.P99:N1} ms");
        foreach (var f in p.Failures.Take(8)) _out.WriteLine($"   {f.Kind,-15} {f.Label}: {f.Count:N0}");
        var cpu = p.Cpu;
        var siloText = cpu.SiloCpuSeconds is { } s
            ? $"silo CPU {s:N2} s ({cpu.SiloCpuPct:N0}% of a core) = {cpu.SiloCpuUsPerOp:N1} µs/op ({cpu.SiloCpuSecondsPer1000Ops:N3} s per 1,000 ops), silo RSS max {cpu.SiloRssMiBMax:N0} MiB; "
            : "silo CPU: no source (give --silo-pid or --metrics-url); ";
        _out.WriteLine($"   {siloText}client CPU {cpu.ClientCpuSeconds:N2} s ({cpu.ClientCpuPct:N0}%) = {cpu.ClientCpuUsPerOp:N1} µs/op");
        if (p.Throughput.ChangePct is { } change)
            _out.WriteLine($"   throughput first tenth {p.Throughput.StartPerSecond:N0}/s, last tenth {p.Throughput.EndPerSecond:N0}/s ({change:+0.0;-0.0}%)");
    }

    private void Say(string line)
    {
        if (!_options.Quiet) _out.WriteLine(line);
    }
}
