using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansWallet.Bank.Tests;

/// <summary>
/// What a run records as it goes, shared by the clients, the nemesis and the checks: one clock,
/// the violations, counts of operations by kind and outcome, and a progress log with times.
/// </summary>
public sealed class RunLog
{
    /// <summary>Violations kept in full; more are counted but not listed, so a broken run still reports readably.</summary>
    private const int ViolationsListedMax = 200;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _violations = [];
    private readonly ConcurrentDictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _events = new();
    private int _violationCount;

    /// <summary>Time since the run started: every timestamp of the run is on this clock.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public int ViolationCount => Volatile.Read(ref _violationCount);

    public IReadOnlyList<string> Violations
    {
        get { lock (_violations) return _violations.ToList(); }
    }

    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;

    public IEnumerable<string> Events => _events;

    public void Violation(string category, string detail)
    {
        var count = Interlocked.Increment(ref _violationCount);
        var line = $"[{Stamp(Now)}] {category}: {detail}";
        if (count <= ViolationsListedMax) lock (_violations) _violations.Add(line);
        Event("VIOLATION " + line);
    }

    /// <summary>Counts one operation's outcome, e.g. ("transfer", "ok") or ("transfer", "refused:insufficient_funds").</summary>
    public void Count(string kind, string outcome) => _outcomes.AddOrUpdate($"{kind} {outcome}", 1, (_, n) => n + 1);

    public void Event(string text) => _events.Enqueue($"[{Stamp(Now)}] {text}");

    /// <summary>Slow operations kept in the timeline; a long outage makes many, the first ones tell the story.</summary>
    private const int SlowOperationsListedMax = 400;

    private int _slowOperations;

    /// <summary>An operation that kept its client waiting, with its calls (the stalls' evidence).</summary>
    public void Slow(string text)
    {
        if (Interlocked.Increment(ref _slowOperations) <= SlowOperationsListedMax) Event("slow " + text);
    }

    public static string Stamp(TimeSpan at) => $"{at.TotalSeconds,7:F2}s";
}
