using System.Numerics;

namespace OrleansWallet.Ledger.Journal;

/// <summary>
/// One leg of a balance movement. <paramref name="Amount"/> is signed, in the asset's base units:
/// positive adds to the bucket, negative takes from it. Build these with <see cref="LedgerMovements"/>,
/// which makes <paramref name="EntryId"/> deterministic so a replay writes nothing twice.
/// </summary>
public sealed record LedgerEntry(
    string EntryId,
    string OperationId,
    MovementKind Kind,
    string UserId,
    string Asset,
    LedgerBucket Bucket,
    BigInteger Amount,
    DateTimeOffset CreatedAt);
