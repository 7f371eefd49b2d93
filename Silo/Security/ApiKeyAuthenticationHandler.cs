using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OrleansWallet.Silo.Security;

/// <summary>
/// Authenticates <c>x-api-key: {id}.{secret}</c> against the configured keys: the secret is
/// hashed with the key's salt and compared in constant time. Unknown ids are hashed against a
/// dummy record too, so timing does not tell which ids exist.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiKeyFormat.HeaderName, out var values)) return Task.FromResult(AuthenticateResult.NoResult());
        if (values.Count != 1 || !ApiKeyFormat.TrySplit(values[0] ?? "", out var id, out var secret))
            return Task.FromResult(AuthenticateResult.Fail("malformed API key"));
        var principal = keys.Verify(id, secret);
        return Task.FromResult(principal is null
            ? AuthenticateResult.Fail("unknown API key")
            : AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }
}

/// <summary>The configured API keys by id, each with the principal it authenticates as (built once).</summary>
public sealed class ApiKeyStore
{
    private sealed record Entry(byte[] Salt, byte[] Hash, ClaimsPrincipal Principal);

    private readonly Dictionary<string, Entry> _keys = new(StringComparer.Ordinal);
    private readonly Entry _dummy = new(new byte[16], new byte[SHA256.HashSizeInBytes], new ClaimsPrincipal());

    public ApiKeyStore(IOptions<AuthOptions> options)
    {
        foreach (var key in options.Value.ApiKeys)
        {
            if (!ApiKeyFormat.TryParseHash(key.SecretHash, out var salt, out var hash)) continue; // refused by the validator at start
            var claims = new List<Claim> { new(Caller.ApiKeyIdClaim, key.Id) };
            claims.AddRange(key.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
            if (!string.IsNullOrWhiteSpace(key.UserId)) claims.Add(new Claim(ClaimTypes.NameIdentifier, key.UserId));
            var identity = new ClaimsIdentity(claims, CallerAuthentication.ApiKeyScheme, ClaimTypes.NameIdentifier, ClaimTypes.Role);
            _keys[key.Id] = new Entry(salt, hash, new ClaimsPrincipal(identity));
        }
    }

    public ClaimsPrincipal? Verify(string id, string secret)
    {
        var known = _keys.TryGetValue(id, out var entry);
        entry ??= _dummy;
        var match = CryptographicOperations.FixedTimeEquals(ApiKeyFormat.Hash(entry.Salt, secret), entry.Hash);
        return known && match ? entry.Principal : null;
    }
}
