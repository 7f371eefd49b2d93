namespace OrleansWallet.Ledger.Reference;

/// <summary>A user as reference data knows them. The KYC tier selects the tier's daily withdrawal limits.</summary>
public sealed record UserProfile(string UserId, int KycTier);
