namespace OrleansWallet.Ledger.Withdrawals;

/// <summary>Machine-readable reasons a withdrawal is refused; stable strings for gRPC error details.</summary>
public static class WithdrawalRejection
{
    public const string AddressInvalid = "address_invalid";
    public const string AddressChecksum = "address_checksum";
    public const string AddressNotAllowlisted = "address_not_allowlisted";
    public const string ChainMismatch = "chain_mismatch";
    public const string DailyLimitExceeded = "daily_limit_exceeded";
    public const string UnknownUser = "unknown_user";
    public const string UnknownAsset = "unknown_asset";
    public const string AssetDisabled = "asset_disabled";
}
