namespace OrleansWallet.Money;

/// <summary>An asset the wallet keeps: its symbol (the key everywhere), chain and decimals.</summary>
[GenerateSerializer, Immutable]
public sealed record AssetInfo(
    [property: Id(0)] string Symbol,
    [property: Id(1)] string Chain,
    [property: Id(2)] int Decimals);
