using System.Numerics;
using OrleansWallet.Money;

namespace OrleansWallet.Domain.Tests;

public class AmountTests
{
    [Theory]
    [InlineData("0", false, "0")]
    [InlineData("1", true, "1")]
    [InlineData("000123", true, "123")]
    [InlineData("1000000000000000000", true, "1000000000000000000")]
    [InlineData("115792089237316195423570985008687907853269984665640564039457584007913129639935", true,
        "115792089237316195423570985008687907853269984665640564039457584007913129639935")]
    public void Parses_base10_digits(string text, bool requirePositive, string expected)
    {
        Assert.Null(Amount.TryParse(text, requirePositive, out var amount));
        Assert.Equal(expected, amount.ToString());
    }

    [Theory]
    [InlineData(null, ErrorCodes.AmountMissing)]
    [InlineData("", ErrorCodes.AmountMissing)]
    [InlineData("-1", ErrorCodes.AmountMalformed)]
    [InlineData("+1", ErrorCodes.AmountMalformed)]
    [InlineData("1.5", ErrorCodes.AmountMalformed)]
    [InlineData("1e18", ErrorCodes.AmountMalformed)]
    [InlineData(" 5", ErrorCodes.AmountMalformed)]
    [InlineData("5 ", ErrorCodes.AmountMalformed)]
    [InlineData("0x10", ErrorCodes.AmountMalformed)]
    [InlineData("1,000", ErrorCodes.AmountMalformed)]
    [InlineData("abc", ErrorCodes.AmountMalformed)]
    [InlineData("٣", ErrorCodes.AmountMalformed)] // Arabic-Indic digit: a digit to char.IsDigit, not to us
    [InlineData("0", ErrorCodes.AmountZero)]
    [InlineData("000", ErrorCodes.AmountZero)]
    [InlineData("115792089237316195423570985008687907853269984665640564039457584007913129639936", ErrorCodes.AmountTooLarge)]
    [InlineData("1000000000000000000000000000000000000000000000000000000000000000000000000000000", ErrorCodes.AmountTooLarge)]
    public void Refuses_anything_but_a_positive_uint256(string? text, string expectedCode)
    {
        var error = Amount.TryParse(text, requirePositive: true, out var amount);
        Assert.NotNull(error);
        Assert.Equal(expectedCode, error.Value.Code);
        Assert.Equal(Amount.Zero, amount);
    }

    [Fact]
    public void Parse_names_the_field_in_the_error()
    {
        var ex = Assert.Throws<WalletException>(() => Amount.Parse("1.5", "sell_amount"));
        Assert.Equal(ErrorCodes.AmountMalformed, ex.Code);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.StartsWith("sell_amount:", ex.Message);
    }

    [Fact]
    public void Subtraction_never_goes_below_zero()
    {
        Assert.Throws<InvalidOperationException>(() => Amount.From(1) - Amount.From(2));
        Assert.Equal(Amount.Zero, Amount.From(2) - Amount.From(2));
    }

    [Fact]
    public void Addition_past_uint256_is_refused()
    {
        var max = Amount.From(Amount.MaxValue);
        var refused = Assert.Throws<WalletException>(() => max + Amount.From(BigInteger.One));
        Assert.Equal(ErrorCodes.BalanceOverflow, refused.Code);
    }
}
