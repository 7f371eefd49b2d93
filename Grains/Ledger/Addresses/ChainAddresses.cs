using System.Text.RegularExpressions;
using Nethereum.Util;
using OrleansWallet.Ledger.Withdrawals;

namespace OrleansWallet.Ledger.Addresses;

/// <summary>
/// Address format rules per chain.
/// EVM chains: "0x" + 40 hex digits. Mixed case must carry a correct EIP-55 checksum; all
/// lower-case or all upper-case hex is accepted as EIP-55 itself does (it carries no checksum),
/// since the allow-list, not the checksum, is what guards the destination.
/// Bitcoin (mainnet): bech32/bech32m segwit ("bc1…", BIP-173/350) or base58check P2PKH/P2SH
/// ("1…"/"3…"), each with its checksum verified.
/// </summary>
public static partial class ChainAddresses
{
    public const string Bitcoin = "bitcoin";

    /// <summary>Chains whose addresses are EVM addresses.</summary>
    public static readonly IReadOnlySet<string> EvmChains = new HashSet<string>(StringComparer.Ordinal)
    {
        "ethereum", "polygon", "arbitrum", "optimism", "base", "bsc", "avalanche",
    };

    public static AddressCheck Check(string chain, string address)
    {
        if (string.IsNullOrEmpty(address) || address.Length > 128)
            return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, "address must be 1..128 characters");
        if (EvmChains.Contains(chain)) return CheckEvm(address);
        if (chain == Bitcoin) return CheckBitcoin(address);
        return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, $"no address rules for chain '{chain}'");
    }

    private static AddressCheck CheckEvm(string address)
    {
        if (!EvmHex().IsMatch(address))
            return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, "an EVM address is 0x followed by 40 hex digits");
        var hex = address[2..];
        var mixedCase = hex.Any(char.IsLower) && hex.Any(char.IsUpper);
        if (mixedCase && !AddressUtil.Current.IsChecksumAddress(address))
            return AddressCheck.Invalid(WithdrawalRejection.AddressChecksum, "mixed-case address fails its EIP-55 checksum");
        return AddressCheck.Valid("0x" + hex.ToLowerInvariant());
    }

    private static AddressCheck CheckBitcoin(string address)
    {
        if (address.StartsWith("bc1", StringComparison.OrdinalIgnoreCase))
            return Bech32.CheckSegwit("bc", address);
        if (address[0] is '1' or '3')
            return Base58Check.CheckBitcoinLegacy(address);
        return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, "a Bitcoin address starts with bc1, 1 or 3");
    }

    [GeneratedRegex("^0x[0-9a-fA-F]{40}$")]
    private static partial Regex EvmHex();
}
