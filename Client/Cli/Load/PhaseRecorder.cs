using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace OrleansWallet.Cli.Load;

/// <summary>
/// What one phase of a run (setup, warm-up, measured, a ramp step) saw: per call kind, latency
/// histograms and outcome counts, in total and second by second. Workers record from any thread
/// with a few interlocked adds and no allocation (except a refusal's label, first time seen);
/// one reporter closes each second a little after it ends and keeps the series.
/// A sample belongs to the second in which its call completed.
/// </summary>
public sealed class PhaseRecorder
{
    /// <summary>Seconds kept open at once: the reporter closes a second ~0.1 s after it ends, so 8 leaves ample room.</summary>
    private const int SlotCount = 8;

    private const int CounterCount = 6;
    private const int CallsCounter = 0;

    private static readonly int KindCount = Enum.GetValues<CallKind>().Length;

    private readonly Slot[] _slots = new Slot[SlotCount];
    private readonly LatencyHistogram[] _totalLatency = new LatencyHistogram[KindCount];
    private readonly long[] _totalCounters = new long[KindCount * CounterCount];
    private readonly LatencyHistogram _totalAll = new();
    private readonly LatencyHistogram _lifecycle = new();
    private readonly LatencyHistogram _secondScratch = new();
    private readonly LatencyHistogram _kindScratch = new();
    private readonly ConcurrentDictionary<(CallKind Kind, string Label), StrongBox<long>> _failures = new();
    private readonly List<SeriesPoint> _series = [];
    private long _closedThroughSecond = -1;
    private long _lifecycles;
    private long _replayed;
    private long _lateStarts;
    private long _picks;
    private long _endTicks;

    /// <summary>Recording threads inside <see cref="Record"/> right now (see <see cref="RecorderSwitch"/>).</summary>
    internal int Active;

    public PhaseRecorder(string name, long startTicks)
    {
        Name = name;
        StartTicks = startTicks;
        for (var i = 0; i < SlotCount; i++) _slots[i] = new Slot();
        for (var k = 0; k < KindCount; k++) _totalLatency[k] = new LatencyHistogram();
    }

    public string Name { get; }
    public long StartTicks { get; }
    public bool Finished => _endTicks != 0;
    public IReadOnlyList<SeriesPoint> Series => _series;
    public long Lifecycles => Volatile.Read(ref _lifecycles);
    public long Replayed => Volatile.Read(ref _replayed);
    public long LateStarts => Volatile.Read(ref _lateStarts);

    /// <summary>Open loop: scheduled operations (mix picks) that completed in this phase.</summary>
    public long Picks => Volatile.Read(ref _picks);
    public LatencyHistogram LifecycleLatency => _lifecycle;
    public LatencyHistogram TotalLatency => _totalAll;

    public double ElapsedSeconds(long nowTicks) => (double)((_endTicks != 0 ? _endTicks : nowTicks) - StartTicks) / Stopwatch.Frequency;

    /// <summary>One call of <paramref name="kind"/> carrying <paramref name="items"/> operations that all ended as <paramref name="outcome"/>.</summary>
    public void Record(CallKind kind, long latencyUs, long completedTicks, OutcomeClass outcome, int items = 1)
    {
        var slot = SlotFor(completedTicks);
        slot.Latency[(int)kind].Record(latencyUs);
        var counters = slot.Counters;
        var k = (int)kind * CounterCount;
        Interlocked.Increment(ref counters[k + CallsCounter]);
        Interlocked.Add(ref counters[k + 1 + (int)outcome], items);
    }

    /// <summary>One batch call: <paramref name="itemsByOutcome"/> holds the count of its operations per <see cref="OutcomeClass"/>.</summary>
    public void RecordBatch(CallKind kind, long latencyUs, long completedTicks, ReadOnlySpan<int> itemsByOutcome)
    {
        var slot = SlotFor(completedTicks);
        slot.Latency[(int)kind].Record(latencyUs);
        var counters = slot.Counters;
        var k = (int)kind * CounterCount;
        Interlocked.Increment(ref counters[k + CallsCounter]);
        for (var o = 0; o < itemsByOutcome.Length && o < CounterCount - 1; o++)
            if (itemsByOutcome[o] != 0) Interlocked.Add(ref counters[k + 1 + o], itemsByOutcome[o]);
    }

    /// <summary>Counts a refusal or error by its "Status/reason" label (not Ok outcomes).</summary>
    public void RecordFailure(CallKind kind, string label, int count = 1) =>
        Interlocked.Add(ref _failures.GetOrAdd((kind, label), static _ => new StrongBox<long>()).Value, count);

    public void RecordLifecycle(long latencyUs)
    {
        _lifecycle.Record(latencyUs);
        Interlocked.Increment(ref _lifecycles);
    }

    public void RecordReplay() => Interlocked.Increment(ref _replayed);

    public void RecordPick() => Interlocked.Increment(ref _picks);

    /// <summary>An open-loop call that left more than the allowed lag after its intended time (the generator could not keep up).</summary>
    public void RecordLateStart() => Interlocked.Increment(ref _lateStarts);

    private Slot SlotFor(long completedTicks)
    {
        var second = (completedTicks - StartTicks) / Stopwatch.Frequency;
        var closed = Volatile.Read(ref _closedThroughSecond);
        if (second <= closed) second = closed + 1;   // a late sample joins the next open second, never a closed one
        if (second < 0) second = 0;
        return _slots[second % SlotCount];
    }

    /// <summary>The reporter: closes second <paramref name="second"/> (it must have ended), adds its point to the series.</summary>
    public SeriesPoint CloseSecond(long second, double coveredSeconds = 1.0)
    {
        if (second <= _closedThroughSecond) throw new InvalidOperationException($"second {second} is already closed");
        // Seconds in which nothing completed still get their (empty) point: a stall shows as zero throughput.
        while (_closedThroughSecond < second - 1) CloseOne(_closedThroughSecond + 1, 1.0);
        return CloseOne(second, coveredSeconds);
    }

    private SeriesPoint CloseOne(long second, double coveredSeconds)
    {
        Volatile.Write(ref _closedThroughSecond, second);
        var point = Drain(_slots[second % SlotCount], second, coveredSeconds);
        _series.Add(point);
        return point;
    }

    /// <summary>
    /// Ends the phase at <paramref name="endTicks"/>: closes every remaining second (the last one
    /// partial) and sweeps every slot, so no sample is lost. Call once no thread records here any more.
    /// </summary>
    public void Finish(long endTicks)
    {
        if (Finished) return;
        var elapsed = (double)(endTicks - StartTicks) / Stopwatch.Frequency;
        var lastSecond = Math.Max(0, (long)Math.Ceiling(elapsed) - 1);
        if (lastSecond > _closedThroughSecond) CloseSecond(lastSecond, Math.Max(0.001, elapsed - lastSecond));
        // Samples that raced a closing second sit in a slot of a later second: add them to the last point.
        var last = _series.Count > 0 ? _series[^1] : null;
        foreach (var slot in _slots)
        {
            var stray = Drain(slot, lastSecond, last?.Seconds ?? 1.0);
            if (stray.Calls == 0) continue;
            if (last is null)
            {
                _series.Add(stray);
                last = stray;
            }
            else
            {
                last.Absorb(stray);
            }
        }
        _endTicks = endTicks;
    }

    private SeriesPoint Drain(Slot slot, long second, double coveredSeconds)
    {
        var point = new SeriesPoint { T = second, Seconds = coveredSeconds };
        _secondScratch.Clear();
        for (var k = 0; k < KindCount; k++)
        {
            if (slot.Latency[k].Count == 0 && Volatile.Read(ref slot.Counters[k * CounterCount]) == 0) continue;
            _kindScratch.Clear();
            slot.Latency[k].DrainInto(_kindScratch);
            _totalLatency[k].Add(_kindScratch);
            _totalAll.Add(_kindScratch);
            _secondScratch.Add(_kindScratch);
            var calls = Interlocked.Exchange(ref slot.Counters[k * CounterCount + CallsCounter], 0);
            long items = 0;
            _totalCounters[k * CounterCount + CallsCounter] += calls;
            for (var o = 0; o < CounterCount - 1; o++)
            {
                var n = Interlocked.Exchange(ref slot.Counters[k * CounterCount + 1 + o], 0);
                _totalCounters[k * CounterCount + 1 + o] += n;
                items += n;
                point.AddOutcome((OutcomeClass)o, n);
            }
            point.Calls += calls;
            point.Ops += items;
            if (items > 0) point.OpsByKind[Outcomes.Name((CallKind)k)] = items;
        }
        point.P50Ms = _secondScratch.PercentileUs(0.50) / 1000.0;
        point.P99Ms = _secondScratch.PercentileUs(0.99) / 1000.0;
        point.MaxMs = _secondScratch.MaxUs / 1000.0;
        return point;
    }

    /// <summary>Totals of one call kind over the phase so far (closed seconds only).</summary>
    public KindTotals Totals(CallKind kind)
    {
        var k = (int)kind * CounterCount;
        return new KindTotals(kind, _totalCounters[k], _totalCounters[k + 1], _totalCounters[k + 2], _totalCounters[k + 3],
            _totalCounters[k + 4], _totalCounters[k + 5], _totalLatency[(int)kind]);
    }

    public IEnumerable<KindTotals> AllTotals()
    {
        for (var k = 0; k < KindCount; k++)
        {
            var totals = Totals((CallKind)k);
            if (totals.Calls > 0) yield return totals;
        }
    }

    public IReadOnlyList<(CallKind Kind, string Label, long Count)> Failures()
    {
        var list = new List<(CallKind, string, long)>();
        foreach (var (key, box) in _failures) list.Add((key.Kind, key.Label, Volatile.Read(ref box.Value)));
        list.Sort((a, b) => b.Item3.CompareTo(a.Item3));
        return list;
    }

    private sealed class Slot
    {
        public readonly LatencyHistogram[] Latency = CreateHistograms();
        public readonly long[] Counters = new long[KindCount * CounterCount];

        private static LatencyHistogram[] CreateHistograms()
        {
            var histograms = new LatencyHistogram[KindCount];
            for (var i = 0; i < histograms.Length; i++) histograms[i] = new LatencyHistogram();
            return histograms;
        }
    }
}

/// <summary>A call kind's totals: calls, its operations by outcome, and its latency histogram.</summary>
public sealed record KindTotals(CallKind Kind, long Calls, long Ok, long Refused, long Unavailable, long Timeouts, long Failed,
    LatencyHistogram Latency)
{
    public long Operations => Ok + Refused + Unavailable + Timeouts + Failed;
}

/// <summary>One second of a phase: throughput, outcomes and latency of the calls that completed in it.</summary>
public sealed class SeriesPoint
{
    /// <summary>Seconds since the phase started (this point covers [T, T + Seconds)).</summary>
    public double T { get; set; }

    /// <summary>1, or less for the phase's last, partial second.</summary>
    public double Seconds { get; set; } = 1.0;

    public long Ops { get; set; }
    public long Calls { get; set; }
    public long Ok { get; set; }
    public long Refused { get; set; }
    public long Unavailable { get; set; }
    public long Timeouts { get; set; }
    public long Failed { get; set; }
    public double P50Ms { get; set; }
    public double P99Ms { get; set; }
    public double MaxMs { get; set; }
    public Dictionary<string, long> OpsByKind { get; set; } = [];

    /// <summary>Silo CPU over this second, in % of one core summed over the silos (200 % = both cores busy).</summary>
    public double? SiloCpuPct { get; set; }

    /// <summary>This generator's CPU over this second, in % of one core.</summary>
    public double? ClientCpuPct { get; set; }

    public double OpsPerSecond => Seconds > 0 ? Ops / Seconds : 0;

    public long Errors => Unavailable + Timeouts + Failed;

    internal void AddOutcome(OutcomeClass outcome, long n)
    {
        switch (outcome)
        {
            case OutcomeClass.Ok: Ok += n; break;
            case OutcomeClass.Refused: Refused += n; break;
            case OutcomeClass.Unavailable: Unavailable += n; break;
            case OutcomeClass.Timeout: Timeouts += n; break;
            default: Failed += n; break;
        }
    }

    internal void Absorb(SeriesPoint other)
    {
        Ops += other.Ops;
        Calls += other.Calls;
        Ok += other.Ok;
        Refused += other.Refused;
        Unavailable += other.Unavailable;
        Timeouts += other.Timeouts;
        Failed += other.Failed;
        MaxMs = Math.Max(MaxMs, other.MaxMs);
        foreach (var (kind, n) in other.OpsByKind) OpsByKind[kind] = OpsByKind.GetValueOrDefault(kind) + n;
    }
}

/// <summary>
/// The phase that records now. Workers <see cref="Enter"/> before recording and <see cref="Exit"/>
/// after; <see cref="SwitchAsync"/> returns the old phase once nobody records in it any more, so a
/// finished phase's counts are final and every sample is in exactly one phase.
/// </summary>
public sealed class RecorderSwitch(PhaseRecorder initial)
{
    private PhaseRecorder _current = initial;

    public PhaseRecorder Current => Volatile.Read(ref _current);

    public PhaseRecorder Enter()
    {
        while (true)
        {
            var recorder = Volatile.Read(ref _current);
            Interlocked.Increment(ref recorder.Active);
            if (ReferenceEquals(recorder, Volatile.Read(ref _current))) return recorder;
            Interlocked.Decrement(ref recorder.Active);
        }
    }

    public static void Exit(PhaseRecorder recorder) => Interlocked.Decrement(ref recorder.Active);

    public async Task<PhaseRecorder> SwitchAsync(PhaseRecorder next)
    {
        var previous = Interlocked.Exchange(ref _current, next);
        while (Volatile.Read(ref previous.Active) > 0) await Task.Delay(1);
        return previous;
    }
}
