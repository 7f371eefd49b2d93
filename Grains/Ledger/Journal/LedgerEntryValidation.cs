using System.Numerics;

namespace OrleansWallet.Ledger.Journal;

/// <summary>What a batch must satisfy before it is written: well-formed entries, unique ids, and every operation balanced per asset.</summary>
internal static class LedgerEntryValidation
{
    public static void Validate(IReadOnlyList<LedgerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count > LedgerLimits.AppendBatchEntriesMax)
            throw new ArgumentException(
                $"a batch holds at most {LedgerLimits.AppendBatchEntriesMax} entries; got {entries.Count}", nameof(entries));

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var sums = new Dictionary<(string Operation, string Asset), BigInteger>();
        foreach (var entry in entries)
        {
            RequireText(entry.EntryId, LedgerLimits.EntryIdLengthMax, "EntryId");
            RequireText(entry.OperationId, LedgerLimits.OperationIdLengthMax, "OperationId");
            RequireText(entry.UserId, LedgerLimits.UserIdLengthMax, "UserId");
            RequireText(entry.Asset, LedgerLimits.AssetLengthMax, "Asset");
            if (entry.Amount.IsZero || BigInteger.Abs(entry.Amount) > LedgerLimits.AmountMax)
                throw new ArgumentException($"entry '{entry.EntryId}': amount must be non-zero and within 2^256-1", nameof(entries));
            if (!ids.Add(entry.EntryId))
                throw new ArgumentException($"entry id '{entry.EntryId}' appears twice in the batch", nameof(entries));
            var key = (entry.OperationId, entry.Asset);
            sums[key] = sums.GetValueOrDefault(key) + entry.Amount;
        }
        foreach (var ((operation, asset), sum) in sums)
            if (!sum.IsZero) throw new UnbalancedOperationException(operation, asset, sum);
    }

    private static void RequireText(string? value, int lengthMax, string field)
    {
        if (string.IsNullOrEmpty(value) || value.Length > lengthMax)
            throw new ArgumentException($"{field} must be 1..{lengthMax} characters", field);
    }
}
