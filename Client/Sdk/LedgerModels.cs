using System.Numerics;

namespace OrleansWallet.Client;

/// <summary>
/// One journal entry: <see cref="Amount"/> is signed base units added to (positive) or taken from
/// (negative) the user's <see cref="Bucket"/> (available, held or external) of <see cref="Asset"/>.
/// </summary>
public sealed record LedgerEntryInfo(
    string EntryId,
    string OperationId,
    string Kind,
    string UserId,
    string Asset,
    string Bucket,
    BigInteger Amount,
    DateTimeOffset CreatedAt);

/// <summary>A page of history, newest first; pass <see cref="NextPageToken"/> for the next (null: no more).</summary>
public sealed record LedgerHistoryPage(IReadOnlyList<LedgerEntryInfo> Entries, string? NextPageToken);

/// <summary>A wallet balance that the journal (plus unflushed outbox entries) does not match.</summary>
public sealed record LedgerDifference(string UserId, string Asset, string Bucket, BigInteger WalletAmount, BigInteger LedgerAmount);

/// <summary>The result of reconciling every wallet with the journal.</summary>
public sealed record ReconciliationReport(
    int WalletsChecked,
    IReadOnlyList<LedgerDifference> Differences,
    int OutboxEntries,
    int PendingTransfers,
    IReadOnlyList<UncheckedWallet> Unchecked)
{
    /// <summary>A difference, or a wallet that could not be compared: either needs an operator.</summary>
    public bool HasDrift => Differences.Count > 0 || Unchecked.Count > 0;
}

/// <summary>A wallet reconcile could not compare, and why (e.g. the journal refused its entries).</summary>
public sealed record UncheckedWallet(string UserId, string Reason);

/// <summary>One wallet's ledger backlog: entries and withdrawal statuses waiting for Postgres, and unfinished transfers.</summary>
public sealed record LedgerStatus(string UserId, int OutboxEntries, int PendingWithdrawalUpdates, int PendingTransfers,
    string? Rejection = null);
