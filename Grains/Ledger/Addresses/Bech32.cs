using OrleansWallet.Ledger.Withdrawals;

namespace OrleansWallet.Ledger.Addresses;

/// <summary>Segwit address checks per BIP-173 (bech32, witness v0) and BIP-350 (bech32m, v1+).</summary>
internal static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const uint Bech32Constant = 1;
    private const uint Bech32mConstant = 0x2bc830a3;
    private const int AddressLengthMax = 90; // BIP-173
    private const int ChecksumLength = 6;
    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    public static AddressCheck CheckSegwit(string expectedHrp, string address)
    {
        if (address.Length > AddressLengthMax)
            return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, "bech32 address longer than 90 characters");
        if (address.Any(char.IsLower) && address.Any(char.IsUpper))
            return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, "bech32 address mixes upper and lower case");
        var lower = address.ToLowerInvariant();
        var separator = lower.LastIndexOf('1');
        if (separator < 1 || lower[..separator] != expectedHrp || lower.Length - separator - 1 < ChecksumLength + 1)
            return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, $"not a bech32 address for '{expectedHrp}'");

        var data = new byte[lower.Length - separator - 1];
        for (var i = 0; i < data.Length; i++)
        {
            var value = Charset.IndexOf(lower[separator + 1 + i]);
            if (value < 0) return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, "character outside the bech32 alphabet");
            data[i] = (byte)value;
        }

        var witnessVersion = data[0];
        var expectedConstant = witnessVersion == 0 ? Bech32Constant : Bech32mConstant;
        if (Polymod(expectedHrp, data) != expectedConstant)
            return AddressCheck.Invalid(WithdrawalRejection.AddressChecksum, "bech32 checksum does not match");

        if (witnessVersion > 16 || !TryConvertTo8Bit(data.AsSpan(1, data.Length - 1 - ChecksumLength), out var programLength))
            return AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, "malformed witness program");
        var lengthOk = witnessVersion == 0 ? programLength is 20 or 32 : programLength is >= 2 and <= 40;
        return lengthOk
            ? AddressCheck.Valid(lower)
            : AddressCheck.Invalid(WithdrawalRejection.AddressInvalid, $"witness program of {programLength} bytes");
    }

    private static uint Polymod(string hrp, ReadOnlySpan<byte> data)
    {
        uint checksum = 1;
        void Step(uint value)
        {
            var top = checksum >> 25;
            checksum = ((checksum & 0x1ffffff) << 5) ^ value;
            for (var i = 0; i < 5; i++)
                if (((top >> i) & 1) != 0) checksum ^= Generator[i];
        }
        foreach (var c in hrp) Step((uint)c >> 5);
        Step(0);
        foreach (var c in hrp) Step((uint)c & 31);
        foreach (var value in data) Step(value);
        return checksum;
    }

    // Regroups 5-bit values into bytes; padding must be under 5 bits and zero (BIP-173).
    private static bool TryConvertTo8Bit(ReadOnlySpan<byte> fiveBit, out int byteCount)
    {
        int accumulator = 0, bits = 0;
        byteCount = 0;
        foreach (var value in fiveBit)
        {
            accumulator = (accumulator << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                byteCount++;
            }
        }
        return bits < 5 && (accumulator & ((1 << bits) - 1)) == 0;
    }
}
