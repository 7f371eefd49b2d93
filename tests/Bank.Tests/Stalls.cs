namespace OrleansWallet.Bank.Tests;

/// <summary>The longest time one client went without an acknowledged operation.</summary>
public sealed record Stall(TimeSpan Length, int Client, TimeSpan From, TimeSpan To)
{
    public static readonly Stall None = new(TimeSpan.Zero, -1, TimeSpan.Zero, TimeSpan.Zero);

    public override string ToString() => Client < 0
        ? "none"
        : $"{Length.TotalSeconds:F2} s (client {Client}, between acks at {RunLog.Stamp(From)} and {RunLog.Stamp(To)})";
}

/// <summary>
/// Stalls from the clients' acknowledgement times: for a window, the longest gap between two
/// consecutive acknowledgements of one client that overlaps the window (so an operation in
/// flight when a silo dies counts from the client's previous answer).
/// </summary>
public static class Stalls
{
    public static Stall Longest(IReadOnlyList<BankClient> clients, TimeSpan from, TimeSpan to) =>
        Longest(clients, (a, b) => b > from && a < to);

    /// <summary>The longest gap that overlaps no fault window, inside [from, to]: the machine's own noise.</summary>
    public static Stall LongestOutside(IReadOnlyList<BankClient> clients, IReadOnlyList<FaultRecord> faults, TimeSpan from, TimeSpan to) =>
        Longest(clients, (a, b) => a >= from && b <= to && !faults.Any(f => b > f.Start && a < f.RecoveredAt));

    private static Stall Longest(IReadOnlyList<BankClient> clients, Func<TimeSpan, TimeSpan, bool> counts)
    {
        var longest = Stall.None;
        foreach (var client in clients)
        {
            var acks = client.Acks;
            for (var i = 1; i < acks.Count; i++)
            {
                var gap = acks[i] - acks[i - 1];
                if (gap > longest.Length && counts(acks[i - 1], acks[i])) longest = new Stall(gap, client.Index, acks[i - 1], acks[i]);
            }
        }
        return longest;
    }
}
