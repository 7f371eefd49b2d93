namespace OrleansWallet.Ledger.Addresses;

/// <summary>
/// The outcome of checking a destination address. <see cref="Normalized"/> is the form stored
/// in and compared with the allow-list (EVM and bech32 lower-case, base58 unchanged).
/// </summary>
public sealed record AddressCheck(bool IsValid, string? Rejection, string? Detail, string? Normalized)
{
    public static AddressCheck Valid(string normalized) => new(true, null, null, normalized);
    public static AddressCheck Invalid(string rejection, string detail) => new(false, rejection, detail, null);
}
