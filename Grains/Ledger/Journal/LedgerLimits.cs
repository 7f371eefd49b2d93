namespace OrleansWallet.Ledger.Journal;

/// <summary>Bounds on what the journal accepts; the schema's CHECK constraints use the same numbers.</summary>
public static class LedgerLimits
{
    /// <summary>Room for a kind prefix, a user or order id and an idempotency key.</summary>
    public const int OperationIdLengthMax = 200;

    /// <summary>An operation id plus "#" and a leg number.</summary>
    public const int EntryIdLengthMax = OperationIdLengthMax + 20;
    public const int UserIdLengthMax = 128;
    public const int AssetLengthMax = 16;

    /// <summary>numeric(78,0) holds 2^256-1 (78 digits); a bigger amount is not a token amount.</summary>
    public static readonly System.Numerics.BigInteger AmountMax = System.Numerics.BigInteger.Pow(2, 256) - 1;

    /// <summary>One statement's worth: large enough to drain an outbox quickly, small enough for a 3 s timeout.</summary>
    public const int AppendBatchEntriesMax = 1000;

    /// <summary>History pages: one screen to a few; larger reads belong to the reconcile command.</summary>
    public const int HistoryPageSizeMax = 500;
}
