using OrleansWallet.Money;

namespace OrleansWallet.Wallet;

/// <summary>Credit an on-chain deposit once: the chain tx id (e.g. <c>txhash:logIndex</c>) is the key.</summary>
[GenerateSerializer, Immutable]
public sealed record CreditDeposit(
    [property: Id(0)] string TxId,
    [property: Id(1)] string Asset,
    [property: Id(2)] Amount Amount);

/// <summary>Reserve funds for an outgoing on-chain withdrawal; the withdrawal id is the key.</summary>
[GenerateSerializer, Immutable]
public sealed record RequestWithdrawal(
    [property: Id(0)] string WithdrawalId,
    [property: Id(1)] string Asset,
    [property: Id(2)] Amount Amount,
    [property: Id(3)] string Address);

/// <summary>Move <see cref="Amount"/> of an asset to another user's wallet, exactly once per key.</summary>
[GenerateSerializer, Immutable]
public sealed record TransferFunds(
    [property: Id(0)] string Key,
    [property: Id(1)] string ToUserId,
    [property: Id(2)] string Asset,
    [property: Id(3)] Amount Amount);

/// <summary>The credit leg of a transfer, sent by the payer's wallet grain to the payee's.</summary>
[GenerateSerializer, Immutable]
public sealed record IncomingTransfer(
    [property: Id(0)] string FromUserId,
    [property: Id(1)] string Key,
    [property: Id(2)] string Asset,
    [property: Id(3)] Amount Amount);

/// <summary>Reserve the sold asset of an order; the order id is the key.</summary>
[GenerateSerializer, Immutable]
public sealed record PlaceHold(
    [property: Id(0)] string OrderId,
    [property: Id(1)] string Asset,
    [property: Id(2)] Amount Amount);

/// <summary>Settle one fill of an order: held sold asset leaves, bought asset arrives.</summary>
[GenerateSerializer, Immutable]
public sealed record SettleFill(
    [property: Id(0)] string OrderId,
    [property: Id(1)] string FillId,
    [property: Id(2)] Amount Sold,
    [property: Id(3)] string BoughtAsset,
    [property: Id(4)] Amount Bought);
