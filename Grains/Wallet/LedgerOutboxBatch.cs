namespace OrleansWallet.Wallet;

/// <summary>Cuts the next journal batch from the front of an outbox: whole operations only, as the journal requires.</summary>
public static class LedgerOutboxBatch
{
    /// <summary>
    /// The oldest entries up to <paramref name="entriesMax"/>, ending at an operation boundary.
    /// An operation's entries are appended together, so they are contiguous in the outbox.
    /// </summary>
    public static IReadOnlyList<LedgerOutboxEntry> Take(IReadOnlyList<LedgerOutboxEntry> outbox, int entriesMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(entriesMax, 1);
        if (outbox.Count <= entriesMax) return outbox.ToList();
        var end = entriesMax;
        // Step back while the entry after the cut belongs to the same operation as the one before it.
        while (end > 0 && outbox[end].OperationId == outbox[end - 1].OperationId) end--;
        if (end == 0)
            throw new InvalidOperationException($"operation '{outbox[0].OperationId}' has more than {entriesMax} entries");
        return outbox.Take(end).ToList();
    }
}
