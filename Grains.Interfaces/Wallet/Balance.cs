using OrleansWallet.Money;

namespace OrleansWallet.Wallet;

/// <summary>One asset's balance: what can be spent, and what is reserved for withdrawals and orders.</summary>
[GenerateSerializer, Immutable]
public sealed record AssetBalance(
    [property: Id(0)] string Asset,
    [property: Id(1)] Amount Available,
    [property: Id(2)] Amount Held);

/// <summary>
/// What every wallet mutation returns: the operation's own id, the touched asset's balance
/// right after it, and whether this answer is a replay of an earlier identical request.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OperationResult(
    [property: Id(0)] string OperationId,
    [property: Id(1)] AssetBalance Balance,
    [property: Id(2)] bool Replayed)
{
    public OperationResult AsReplay() => this with { Replayed = true };
}
