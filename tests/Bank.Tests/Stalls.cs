namespace OrleansWallet.Bank.Tests;

/// <summary>One definite answer (success, or refusal: kind ends in " refused") to a client: when, and to what.</summary>
public readonly record struct Ack(TimeSpan At, string Kind);

/// <summary>The longest time one client went without a definite answer.</summary>
public sealed record Stall(TimeSpan Length, int Client, TimeSpan From, TimeSpan To, string ClosedBy)
{
    public static readonly Stall None = new(TimeSpan.Zero, -1, TimeSpan.Zero, TimeSpan.Zero, "");

    public override string ToString() => Client < 0
        ? "none"
        : $"{Length.TotalSeconds:F2} s (client {Client}, between acks at {RunLog.Stamp(From)} and {RunLog.Stamp(To)}, the second a {ClosedBy})";
}

/// <summary>
/// Stalls from the times clients got definite answers: for a window, the longest gap between two
/// consecutive answers to one client that overlaps the window (so an operation in flight when a
/// silo dies counts from the client's previous answer).
/// </summary>
public static class Stalls
{
    public static Stall Longest(IReadOnlyList<BankClient> clients, TimeSpan from, TimeSpan to) =>
        Longest(clients, (a, b) => b.At > from && a.At < to);

    /// <summary>
    /// As <see cref="Longest(IReadOnlyList{BankClient}, TimeSpan, TimeSpan)"/>, leaving out gaps
    /// that a withdrawal request closed: it needs Postgres, so during an outage it waits by design.
    /// </summary>
    public static Stall LongestWithoutPostgres(IReadOnlyList<BankClient> clients, TimeSpan from, TimeSpan to) =>
        Longest(clients, (a, b) => b.At > from && a.At < to && !b.Kind.Contains("withdraw-request", StringComparison.Ordinal));

    /// <summary>The longest gap that overlaps no fault window, inside [from, to]: the machine's own noise.</summary>
    public static Stall LongestOutside(IReadOnlyList<BankClient> clients, IReadOnlyList<FaultRecord> faults, TimeSpan from, TimeSpan to) =>
        Longest(clients, (a, b) => a.At >= from && b.At <= to && !faults.Any(f => b.At > f.Start && a.At < f.RecoveredAt));

    private static Stall Longest(IReadOnlyList<BankClient> clients, Func<Ack, Ack, bool> counts)
    {
        var longest = Stall.None;
        foreach (var client in clients)
        {
            var acks = client.Acks;
            for (var i = 1; i < acks.Count; i++)
            {
                var gap = acks[i].At - acks[i - 1].At;
                if (gap > longest.Length && counts(acks[i - 1], acks[i]))
                    longest = new Stall(gap, client.Index, acks[i - 1].At, acks[i].At, acks[i].Kind);
            }
        }
        return longest;
    }
}
