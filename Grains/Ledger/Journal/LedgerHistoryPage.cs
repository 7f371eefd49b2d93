namespace OrleansWallet.Ledger.Journal;

/// <summary>Entries newest first; pass <see cref="NextPageToken"/> back for the next page (null: no more).</summary>
public sealed record LedgerHistoryPage(IReadOnlyList<LedgerEntry> Entries, string? NextPageToken);
