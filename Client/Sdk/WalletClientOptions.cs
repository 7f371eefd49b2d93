namespace OrleansWallet.Client;

public sealed class WalletClientOptions
{
    /// <summary>The silo's gRPC endpoint, e.g. <c>http://127.0.0.1:5000</c> (HTTP/2 without TLS) or an https ingress.</summary>
    public Uri Address { get; set; } = new("http://127.0.0.1:5000");

    /// <summary>
    /// Deadline of one call including its retries. 10 s: twice the silo's grain response timeout,
    /// so a call behind a dead silo still gets one retry on a live one.
    /// </summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Attempts per call (gRPC retry policy; the same request, so the same idempotency key, is
    /// sent again). 5 is gRPC's own upper limit.
    /// </summary>
    public int MaxAttempts { get; set; } = 4;

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A JWT sent as <c>authorization: Bearer …</c> on every call (its roles and subject decide
    /// what the calls may do). Over a network, use an https address: a token is a password.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>A service's API key (<c>{id}.{secret}</c>), sent as <c>x-api-key</c> on every call; used instead of a token if both are set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Environment variables the command-line tool (and <see cref="FromEnvironment"/>) read credentials from.</summary>
    public const string TokenVariable = "ORLEANS_WALLET_TOKEN";
    public const string ApiKeyVariable = "ORLEANS_WALLET_API_KEY";

    /// <summary>Options for <paramref name="address"/> with the credentials in ORLEANS_WALLET_TOKEN / ORLEANS_WALLET_API_KEY, if set.</summary>
    public static WalletClientOptions FromEnvironment(Uri address) => new()
    {
        Address = address,
        BearerToken = NullIfEmpty(Environment.GetEnvironmentVariable(TokenVariable)),
        ApiKey = NullIfEmpty(Environment.GetEnvironmentVariable(ApiKeyVariable)),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
