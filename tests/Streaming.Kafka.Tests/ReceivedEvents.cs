using System.Collections.Concurrent;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// What the subscriber grains received, in arrival order. Static because the in-process silos and
/// the test share one process; tests run one at a time and clear it first.
/// </summary>
public static class ReceivedEvents
{
    private static readonly ConcurrentQueue<WalletTestEvent> Events = new();

    public static void Record(WalletTestEvent streamEvent) => Events.Enqueue(streamEvent);

    public static void Clear() => Events.Clear();

    public static IReadOnlyList<WalletTestEvent> Snapshot() => Events.ToArray();

    /// <summary>Each event once, at its first arrival: what a consumer that drops duplicates by id sees.</summary>
    public static IReadOnlyList<WalletTestEvent> FirstDeliveries()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return Events.Where(e => seen.Add(e.EventId)).ToArray();
    }

    public static int DistinctCount() => Events.Select(e => e.EventId).Distinct().Count();
}
