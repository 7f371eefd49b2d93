namespace OrleansWallet.Ledger.Reference;

/// <summary>A registered asset. <paramref name="Decimals"/> converts base units for display only; amounts stay integers.</summary>
public sealed record Asset(string Symbol, string Chain, int Decimals, string? ContractAddress, bool Enabled);
