using System.Numerics;

namespace OrleansWallet.Ledger.Journal;

/// <summary>The sum of a user's journal entries for one asset and bucket.</summary>
public sealed record LedgerBalance(string UserId, string Asset, LedgerBucket Bucket, BigInteger Amount);
