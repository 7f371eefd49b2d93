using OrleansWallet.Ledger.Addresses;
using OrleansWallet.Ledger.Withdrawals;

namespace OrleansWallet.Ledger.Tests;

public class ChainAddressesTests
{
    [Theory]
    // EIP-55's own examples.
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    // No checksum carried: accepted, as EIP-55 allows.
    [InlineData("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")]
    [InlineData("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED")]
    public void Evm_addresses_with_a_correct_or_no_checksum_are_valid(string address)
    {
        var check = ChainAddresses.Check("ethereum", address);
        Assert.True(check.IsValid, check.Detail);
        Assert.Equal(address.ToLowerInvariant(), check.Normalized);
    }

    [Theory]
    [InlineData("0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed")] // one letter's case flipped
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")]
    public void Evm_mixed_case_with_a_wrong_checksum_is_rejected(string address)
    {
        var check = ChainAddresses.Check("polygon", address);
        Assert.Equal(WithdrawalRejection.AddressChecksum, check.Rejection);
    }

    [Theory]
    [InlineData("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd")]
    [InlineData("0xZaAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("")]
    public void Evm_malformed_addresses_are_invalid(string address) =>
        Assert.Equal(WithdrawalRejection.AddressInvalid, ChainAddresses.Check("ethereum", address).Rejection);

    [Theory]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")] // BIP-173 P2WPKH
    [InlineData("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")]
    [InlineData("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
                "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y")] // BIP-350 bech32m
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")] // genesis P2PKH
    [InlineData("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")] // P2SH
    public void Bitcoin_addresses_with_valid_checksums_are_valid(string address, string normalized)
    {
        var check = ChainAddresses.Check("bitcoin", address);
        Assert.True(check.IsValid, check.Detail);
        Assert.Equal(normalized, check.Normalized);
    }

    [Theory]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", WithdrawalRejection.AddressChecksum)]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", WithdrawalRejection.AddressChecksum)]
    [InlineData("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", WithdrawalRejection.AddressChecksum)]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3tb", WithdrawalRejection.AddressInvalid)] // 'b' is not bech32
    [InlineData("Bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", WithdrawalRejection.AddressInvalid)] // mixed case
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7Div0Na", WithdrawalRejection.AddressInvalid)] // '0' is not base58
    [InlineData("2A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", WithdrawalRejection.AddressInvalid)]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", WithdrawalRejection.AddressInvalid)]
    public void Bitcoin_bad_addresses_are_rejected_with_the_reason(string address, string reason) =>
        Assert.Equal(reason, ChainAddresses.Check("bitcoin", address).Rejection);

    [Fact]
    public void Unknown_chains_have_no_valid_addresses() =>
        Assert.Equal(WithdrawalRejection.AddressInvalid,
            ChainAddresses.Check("dogechain", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").Rejection);
}
