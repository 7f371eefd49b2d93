using OrleansWallet.Money;

namespace OrleansWallet.Wallet;

/// <summary>
/// The persisted state of one wallet (Orleans grain state in Redis, ETag-checked). Everything in
/// it is bounded by what is in flight, not by history: answers to recent operations stay only
/// until the silo's writer has put them in the operation archive, journal entries only until it
/// has put them in Postgres, withdrawals only while pending. The grain treats a committed state
/// as immutable: every change is made on a <see cref="Clone"/> that replaces it once written.
/// </summary>
[GenerateSerializer]
public sealed class WalletState
{
    /// <summary>Per asset symbol.</summary>
    [Id(0)] public Dictionary<string, BalanceEntry> Balances { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Answers of applied operations not yet in the operation archive, oldest first: a replay of
    /// one of these is answered from here, any other key from the archive.
    /// </summary>
    [Id(1)] public List<OperationRecord> Unarchived { get; set; } = [];

    /// <summary>Withdrawals requested and neither completed nor failed yet, by withdrawal id.</summary>
    [Id(2)] public Dictionary<string, WithdrawalRecord> PendingWithdrawals { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Transfers debited here whose credit leg is not yet confirmed by the payee, by transfer key.</summary>
    [Id(3)] public Dictionary<string, PendingTransfer> PendingTransfersOut { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Funds held for open orders, by order id.</summary>
    [Id(4)] public Dictionary<string, HoldRecord> Holds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Journal entries of applied movements not yet in Postgres, oldest first. Appended in the
    /// same write as the balance change they describe; dropped once the journal has them.
    /// </summary>
    [Id(5)] public List<LedgerOutboxEntry> LedgerOutbox { get; set; } = [];

    /// <summary>Withdrawal completions and failures the withdrawal policy in Postgres has not recorded yet, oldest first.</summary>
    [Id(6)] public List<WithdrawalStatusUpdate> WithdrawalStatusOutbox { get; set; } = [];

    /// <summary>The sequence number of the last applied operation; each operation's records and entries carry its number.</summary>
    [Id(7)] public long LastSequence { get; set; }

    /// <summary>
    /// True once an answer has left <see cref="Unarchived"/> for the archive: from then on a key not
    /// found here must be looked up there before it can be treated as new.
    /// </summary>
    [Id(8)] public bool ArchiveInUse { get; set; }

    /// <summary>
    /// A copy whose collections can change without touching this one. Their elements are
    /// immutable records, so copying the collections is enough.
    /// </summary>
    public WalletState Clone() => new()
    {
        Balances = new Dictionary<string, BalanceEntry>(Balances, StringComparer.Ordinal),
        Unarchived = [.. Unarchived],
        PendingWithdrawals = new Dictionary<string, WithdrawalRecord>(PendingWithdrawals, StringComparer.Ordinal),
        PendingTransfersOut = new Dictionary<string, PendingTransfer>(PendingTransfersOut, StringComparer.Ordinal),
        Holds = new Dictionary<string, HoldRecord>(Holds, StringComparer.Ordinal),
        LedgerOutbox = [.. LedgerOutbox],
        WithdrawalStatusOutbox = [.. WithdrawalStatusOutbox],
        LastSequence = LastSequence,
        ArchiveInUse = ArchiveInUse,
    };
}

[GenerateSerializer, Immutable]
public sealed record BalanceEntry(
    [property: Id(0)] Amount Available,
    [property: Id(1)] Amount Held);

/// <summary>
/// The first answer to an operation, kept so that a replay returns it and moves no money.
/// <see cref="Fingerprint"/> is the request's payload in canonical text: the same key with another
/// payload is a conflict. An operation refused after it changed state for good (a transfer the
/// payee refused, refunded) is recorded with its <see cref="RefusalCode"/>, and replays refuse alike.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OperationRecord(
    [property: Id(0)] string Key,
    [property: Id(1)] string Fingerprint,
    [property: Id(2)] string? Asset,
    [property: Id(3)] Amount Available,
    [property: Id(4)] Amount Held,
    [property: Id(5)] long Sequence,
    [property: Id(6)] string? RefusalCode = null,
    [property: Id(7)] string? RefusalMessage = null)
{
    public OperationResult ToReplay()
    {
        if (RefusalCode is not null) throw new WalletException(RefusalCode, RefusalMessage ?? RefusalCode);
        return new OperationResult(Key, new AssetBalance(Asset ?? "", Available, Held), Replayed: true);
    }
}

[GenerateSerializer, Immutable]
public sealed record WithdrawalRecord(
    [property: Id(0)] string Asset,
    [property: Id(1)] Amount Amount,
    [property: Id(2)] string Address);

/// <summary>
/// A transfer debited here whose credit leg the payee has not confirmed. <see cref="Balance"/> is the
/// payer's balance right after the debit: the transfer's answer, whenever it completes.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PendingTransfer(
    [property: Id(0)] string ToUserId,
    [property: Id(1)] string Asset,
    [property: Id(2)] Amount Amount,
    [property: Id(3)] string Fingerprint,
    [property: Id(4)] AssetBalance Balance,
    [property: Id(5)] long Sequence);

[GenerateSerializer, Immutable]
public sealed record HoldRecord(
    [property: Id(0)] string Asset,
    [property: Id(1)] Amount Remaining);
