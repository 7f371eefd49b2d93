using System.Numerics;

namespace OrleansWallet.Ledger.Journal;

/// <summary>
/// Builds the balanced entries of each movement. Entry ids are "{operationId}#{leg}", so the same
/// operation always produces the same ids and a replayed append writes nothing twice. The
/// operation id must be unique across the system for each movement (e.g. "dep:{user}:{key}",
/// "fill:{orderId}:{fillSeq}"); the caller's idempotency key is the natural source.
/// </summary>
public static class LedgerMovements
{
    /// <summary>Funds arrive from the chain: external → available.</summary>
    public static IReadOnlyList<LedgerEntry> Deposit(string operationId, string userId, string asset,
        BigInteger amount, DateTimeOffset at) =>
        Move(operationId, MovementKind.Deposit, userId, asset, amount, LedgerBucket.External, LedgerBucket.Available, at);

    /// <summary>Funds are reserved for a withdrawal: available → held.</summary>
    public static IReadOnlyList<LedgerEntry> WithdrawalRequest(string operationId, string userId, string asset,
        BigInteger amount, DateTimeOffset at) =>
        Move(operationId, MovementKind.WithdrawalRequest, userId, asset, amount, LedgerBucket.Available, LedgerBucket.Held, at);

    /// <summary>The withdrawal left on chain: held → external.</summary>
    public static IReadOnlyList<LedgerEntry> WithdrawalComplete(string operationId, string userId, string asset,
        BigInteger amount, DateTimeOffset at) =>
        Move(operationId, MovementKind.WithdrawalComplete, userId, asset, amount, LedgerBucket.Held, LedgerBucket.External, at);

    /// <summary>The withdrawal failed; its reservation returns: held → available.</summary>
    public static IReadOnlyList<LedgerEntry> WithdrawalFail(string operationId, string userId, string asset,
        BigInteger amount, DateTimeOffset at) =>
        Move(operationId, MovementKind.WithdrawalFail, userId, asset, amount, LedgerBucket.Held, LedgerBucket.Available, at);

    /// <summary>
    /// A transfer's first leg, journaled by the payer when it debits: payer's available → payer's
    /// transit. The payee's wallet journals the second leg (<see cref="TransferIn"/>) when it
    /// credits, so each wallet writes only its own change and each side is in the journal exactly
    /// when it is in that wallet's state.
    /// </summary>
    public static IReadOnlyList<LedgerEntry> TransferOut(string operationId, string payerUserId, string asset,
        BigInteger amount, DateTimeOffset at) =>
        Move(operationId, MovementKind.Transfer, payerUserId, asset, amount, LedgerBucket.Available, LedgerBucket.Transit, at);

    /// <summary>A transfer's second leg, journaled by the payee: payer's transit → payee's available.</summary>
    public static IReadOnlyList<LedgerEntry> TransferIn(string operationId, string payerUserId, string payeeUserId,
        string asset, BigInteger amount, DateTimeOffset at)
    {
        RequirePositive(amount, nameof(amount));
        if (payerUserId == payeeUserId) throw new ArgumentException("a transfer needs two different users", nameof(payeeUserId));
        return
        [
            Leg(operationId, 0, MovementKind.Transfer, payerUserId, asset, LedgerBucket.Transit, -amount, at),
            Leg(operationId, 1, MovementKind.Transfer, payeeUserId, asset, LedgerBucket.Available, amount, at),
        ];
    }

    /// <summary>The payee refused the credit for good: the payer's transit returns to its available.</summary>
    public static IReadOnlyList<LedgerEntry> TransferRefund(string operationId, string payerUserId, string asset,
        BigInteger amount, DateTimeOffset at) =>
        Move(operationId, MovementKind.TransferRefund, payerUserId, asset, amount, LedgerBucket.Transit, LedgerBucket.Available, at);

    /// <summary>Placing an order reserves what it sells: available → held.</summary>
    public static IReadOnlyList<LedgerEntry> OrderHold(string operationId, string userId, string asset,
        BigInteger amount, DateTimeOffset at) =>
        Move(operationId, MovementKind.OrderHold, userId, asset, amount, LedgerBucket.Available, LedgerBucket.Held, at);

    /// <summary>
    /// A fill: the sold amount leaves the hold to the counterparty (held → external) and the
    /// bought amount arrives (external → available). Each asset balances through external.
    /// </summary>
    public static IReadOnlyList<LedgerEntry> OrderFill(string operationId, string userId,
        string soldAsset, BigInteger soldAmount, string boughtAsset, BigInteger boughtAmount, DateTimeOffset at)
    {
        RequirePositive(soldAmount, nameof(soldAmount));
        RequirePositive(boughtAmount, nameof(boughtAmount));
        if (soldAsset == boughtAsset) throw new ArgumentException("an order exchanges two different assets", nameof(boughtAsset));
        return
        [
            Leg(operationId, 0, MovementKind.OrderFill, userId, soldAsset, LedgerBucket.Held, -soldAmount, at),
            Leg(operationId, 1, MovementKind.OrderFill, userId, soldAsset, LedgerBucket.External, soldAmount, at),
            Leg(operationId, 2, MovementKind.OrderFill, userId, boughtAsset, LedgerBucket.External, -boughtAmount, at),
            Leg(operationId, 3, MovementKind.OrderFill, userId, boughtAsset, LedgerBucket.Available, boughtAmount, at),
        ];
    }

    /// <summary>Cancel or expiry returns what is left of the hold: held → available.</summary>
    public static IReadOnlyList<LedgerEntry> OrderRelease(string operationId, string userId, string asset,
        BigInteger amount, DateTimeOffset at) =>
        Move(operationId, MovementKind.OrderRelease, userId, asset, amount, LedgerBucket.Held, LedgerBucket.Available, at);

    /// <summary>The id of leg <paramref name="leg"/> of an operation.</summary>
    public static string EntryId(string operationId, int leg) => $"{operationId}#{leg}";

    private static IReadOnlyList<LedgerEntry> Move(string operationId, MovementKind kind, string userId, string asset,
        BigInteger amount, LedgerBucket from, LedgerBucket to, DateTimeOffset at)
    {
        RequirePositive(amount, nameof(amount));
        return
        [
            Leg(operationId, 0, kind, userId, asset, from, -amount, at),
            Leg(operationId, 1, kind, userId, asset, to, amount, at),
        ];
    }

    private static LedgerEntry Leg(string operationId, int leg, MovementKind kind, string userId, string asset,
        LedgerBucket bucket, BigInteger amount, DateTimeOffset at) =>
        new(EntryId(operationId, leg), operationId, kind, userId, asset, bucket, amount, at);

    private static void RequirePositive(BigInteger amount, string name)
    {
        if (amount <= 0 || amount > LedgerLimits.AmountMax)
            throw new ArgumentOutOfRangeException(name, amount, "amount must be between 1 and 2^256-1 base units");
    }
}
