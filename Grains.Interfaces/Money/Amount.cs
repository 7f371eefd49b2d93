using System.Globalization;
using System.Numerics;

namespace OrleansWallet.Money;

/// <summary>
/// A non-negative integer number of an asset's base units (wei, satoshi, 10^-6 USDC), at most
/// 2^256 − 1 so that any ERC-20 balance fits. Never a float: money must add up exactly.
/// </summary>
[GenerateSerializer, Immutable]
public readonly struct Amount : IEquatable<Amount>, IComparable<Amount>
{
    /// <summary>2^256 − 1, the largest uint256; the bound of every EVM token amount.</summary>
    public static readonly BigInteger MaxValue = BigInteger.Pow(2, 256) - 1;

    /// <summary>78 digits: the length of 2^256 − 1 in base 10; longer input is refused unread.</summary>
    public const int DigitsMax = 78;

    public static readonly Amount Zero = default;

    [Id(0)] private readonly BigInteger _value;

    private Amount(BigInteger value) => _value = value;

    public BigInteger Value => _value;
    public bool IsZero => _value.IsZero;

    public static Amount From(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "an amount is never negative");
        if (value > MaxValue) throw new ArgumentOutOfRangeException(nameof(value), "an amount is at most 2^256-1");
        return new Amount(value);
    }

    /// <summary>
    /// Parses base-10 digits only: no sign, no decimal point, no exponent, no spaces, no
    /// thousands separators. <paramref name="field"/> names the input in the error.
    /// </summary>
    public static Amount Parse(string? text, string field, bool requirePositive = true)
    {
        var failure = TryParse(text, requirePositive, out var amount);
        if (failure is { } error)
            throw new WalletException(error.Code, $"{field}: {error.Message}");
        return amount;
    }

    public static AmountParseError? TryParse(string? text, bool requirePositive, out Amount amount)
    {
        amount = Zero;
        if (string.IsNullOrEmpty(text))
            return new AmountParseError(ErrorCodes.AmountMissing, "amount is required (a base-10 integer string of base units)");
        if (text.Length > DigitsMax)
            return new AmountParseError(ErrorCodes.AmountTooLarge, $"amount has more than {DigitsMax} digits; the largest is 2^256-1");
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
                return new AmountParseError(ErrorCodes.AmountMalformed,
                    $"amount '{Truncate(text)}' must be base-10 digits only (base units: no sign, decimal point, exponent or spaces)");
        }
        var value = BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        if (value > MaxValue)
            return new AmountParseError(ErrorCodes.AmountTooLarge, "amount exceeds 2^256-1");
        if (requirePositive && value.IsZero)
            return new AmountParseError(ErrorCodes.AmountZero, "amount must be greater than zero");
        amount = new Amount(value);
        return null;
    }

    private static string Truncate(string text) => text.Length <= 32 ? text : text[..32] + "…";

    /// <summary>
    /// Addition that refuses to leave uint256: a sum above 2^256-1 is a refusal the caller can see
    /// (<see cref="ErrorCodes.BalanceOverflow"/>), thrown before the caller changes anything with it.
    /// </summary>
    public static Amount operator +(Amount a, Amount b)
    {
        var sum = a._value + b._value;
        if (sum > MaxValue)
            throw new WalletException(ErrorCodes.BalanceOverflow, $"{a} + {b} exceeds 2^256-1, the largest amount; nothing was changed");
        return new Amount(sum);
    }

    /// <summary>Subtraction that can never go below zero: callers check funds first.</summary>
    public static Amount operator -(Amount a, Amount b)
    {
        if (b._value > a._value) throw new InvalidOperationException($"amount underflow: {a} - {b}");
        return new Amount(a._value - b._value);
    }

    public static bool operator <(Amount a, Amount b) => a._value < b._value;
    public static bool operator >(Amount a, Amount b) => a._value > b._value;
    public static bool operator <=(Amount a, Amount b) => a._value <= b._value;
    public static bool operator >=(Amount a, Amount b) => a._value >= b._value;
    public static bool operator ==(Amount a, Amount b) => a._value == b._value;
    public static bool operator !=(Amount a, Amount b) => a._value != b._value;

    public bool Equals(Amount other) => _value == other._value;
    public override bool Equals(object? obj) => obj is Amount other && Equals(other);
    public override int GetHashCode() => _value.GetHashCode();
    public int CompareTo(Amount other) => _value.CompareTo(other._value);
    public override string ToString() => _value.ToString(CultureInfo.InvariantCulture);
}

public readonly record struct AmountParseError(string Code, string Message);
