using System.Numerics;
using OrleansWallet.Ledger.Journal;

namespace OrleansWallet.Wallet;

/// <summary>
/// A <see cref="LedgerEntry"/> as the wallet persists it in its outbox (Orleans-serialized grain
/// state), with the sequence number of the operation that made it. The enums are stored as their
/// numbers so the state does not depend on the ledger assembly carrying Orleans serializers.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LedgerOutboxEntry(
    [property: Id(0)] string EntryId,
    [property: Id(1)] string OperationId,
    [property: Id(2)] int Kind,
    [property: Id(3)] string UserId,
    [property: Id(4)] string Asset,
    [property: Id(5)] int Bucket,
    [property: Id(6)] BigInteger Amount,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] long Sequence)
{
    public static LedgerOutboxEntry From(LedgerEntry entry, long sequence) => new(entry.EntryId, entry.OperationId,
        (int)entry.Kind, entry.UserId, entry.Asset, (int)entry.Bucket, entry.Amount, entry.CreatedAt, sequence);

    public LedgerEntry ToLedgerEntry() => new(EntryId, OperationId, (MovementKind)Kind, UserId, Asset,
        (LedgerBucket)Bucket, Amount, CreatedAt);

    /// <summary>The bucket's name as reconciliation reports it: available, held, external or transit.</summary>
    public string BucketName => ((LedgerBucket)Bucket).ToString().ToLowerInvariant();
}

/// <summary>A withdrawal's final status, to be recorded by the withdrawal policy (by its system-wide id).</summary>
[GenerateSerializer, Immutable]
public sealed record WithdrawalStatusUpdate(
    [property: Id(0)] string PolicyWithdrawalId,
    [property: Id(1)] bool Completed,
    [property: Id(2)] long Sequence);
