namespace OrleansWallet;

/// <summary>
/// Rules for the ids that clients choose: user ids, order ids and idempotency keys. Bounded so
/// that a key can never bloat grain state or Redis keys, and restricted to printable ASCII
/// that is safe in logs, Redis keys and Kafka message keys.
/// </summary>
public static class Identifiers
{
    /// <summary>128: room for a UUID with a prefix or a chain tx hash plus log index (66 + 1 + 10).</summary>
    public const int LengthMax = 128;

    public static string RequireUserId(string? value, string field = "user_id") =>
        Require(value, field, ErrorCodes.UserIdMalformed, ErrorCodes.UserIdMalformed);

    public static string RequireOrderId(string? value, string field = "order_id") =>
        Require(value, field, ErrorCodes.OrderIdMalformed, ErrorCodes.OrderIdMalformed);

    public static string RequireKey(string? value, string field) =>
        Require(value, field, ErrorCodes.KeyMissing, ErrorCodes.KeyMalformed);

    private static string Require(string? value, string field, string missingCode, string malformedCode)
    {
        if (string.IsNullOrEmpty(value))
            throw new WalletException(missingCode, $"{field} is required");
        if (value.Length > LengthMax)
            throw new WalletException(malformedCode, $"{field} is longer than {LengthMax} characters");
        foreach (var c in value)
        {
            var allowed = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
                or '-' or '_' or '.' or ':' or '@';
            if (!allowed)
                throw new WalletException(malformedCode,
                    $"{field} may contain only letters, digits and - _ . : @ (found '{c}')");
        }
        return value;
    }
}
