using System.Numerics;

namespace OrleansWallet.Ledger.Journal;

/// <summary>An operation's entries for one asset do not sum to zero: the batch would create or destroy money.</summary>
public sealed class UnbalancedOperationException(string operationId, string asset, BigInteger sum)
    : Exception($"ledger operation '{operationId}' does not balance for {asset}: entries sum to {sum}")
{
    public string OperationId { get; } = operationId;
    public string Asset { get; } = asset;
    public BigInteger Sum { get; } = sum;
}
