using System.Numerics;
using System.Security.Cryptography;
using OrleansWallet.Ledger.Withdrawals;

namespace OrleansWallet.Ledger.Addresses;

/// <summary>Legacy Bitcoin addresses: base58check with version 0x00 (P2PKH, "1…") or 0x05 (P2SH, "3…").</summary>
internal static class Base58Check
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const int LengthMin = 26;
    private const int LengthMax = 35;
    private const int PayloadBytes = 25; // version + 20-byte hash + 4-byte checksum

    public static AddressCheck CheckBitcoinLegacy(string address)
    {
        if (address.Length is < LengthMin or > LengthMax)
            return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, $"a base58 address is {LengthMin}..{LengthMax} characters");
        BigInteger value = 0;
        foreach (var c in address)
        {
            var digit = Alphabet.IndexOf(c);
            if (digit < 0) return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, "character outside the base58 alphabet");
            value = value * 58 + digit;
        }

        var leadingZeros = address.TakeWhile(c => c == '1').Count();
        var body = value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (leadingZeros + body.Length != PayloadBytes)
            return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, "base58 payload is not 25 bytes");
        var payload = new byte[PayloadBytes];
        body.CopyTo(payload, leadingZeros);

        var expectedVersion = address[0] == '1' ? (byte)0x00 : (byte)0x05;
        if (payload[0] != expectedVersion)
            return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, "not a mainnet P2PKH or P2SH address");
        var hash = SHA256.HashData(SHA256.HashData(payload.AsSpan(0, PayloadBytes - 4)));
        return hash.AsSpan(0, 4).SequenceEqual(payload.AsSpan(PayloadBytes - 4))
            ? AddressCheck.Valid(address)
            : AddressCheck.Invalid(WithdrawalRejection.AddressChecksum, "base58check checksum does not match");
    }
}
