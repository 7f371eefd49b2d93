using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace OrleansWallet.Silo.Security;

/// <summary>
/// Who may call the gRPC API (configuration section <c>Auth</c>): JWT bearer tokens checked
/// against an issuer, an audience and signing keys (or an OpenID Connect authority's keys), and
/// API keys for services, stored as salted SHA-256 hashes. Secrets come from environment
/// variables or files (a Kubernetes Secret), never from appsettings.json.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public JwtOptions Jwt { get; set; } = new();

    public List<ApiKeyOptions> ApiKeys { get; set; } = [];
}

public sealed class JwtOptions
{
    /// <summary>The <c>iss</c> a token must carry.</summary>
    public string Issuer { get; set; } = "orleans-wallet";

    /// <summary>The <c>aud</c> a token must carry.</summary>
    public string Audience { get; set; } = "orleans-wallet-api";

    /// <summary>
    /// HMAC-SHA256 keys (base64, at least 32 bytes each) any of which may have signed a token:
    /// more than one while a key is rotated. From a Secret: <c>Auth__Jwt__SigningKeys__0</c>.
    /// </summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>A file holding one more base64 signing key (a mounted Secret; the run script's dev key).</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>
    /// An OpenID Connect issuer whose published keys (JWKS, found through
    /// <c>/.well-known/openid-configuration</c>) sign the tokens, instead of or besides shared keys.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>Refuse an authority reached over plain HTTP (only a local test IdP should need false).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The claim holding the caller's roles (a string or an array of strings).</summary>
    public string RoleClaim { get; set; } = "role";

    /// <summary>The claim holding the user id a <c>user</c> token acts for.</summary>
    public string UserIdClaim { get; set; } = "sub";

    /// <summary>
    /// Tolerated clock difference on <c>exp</c>/<c>nbf</c>. 30 s: silos and issuers run NTP; the
    /// library's 5 min default would keep a revoked short-lived token alive far too long.
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The symmetric keys from <see cref="SigningKeys"/> and <see cref="SigningKeyFile"/>, decoded.</summary>
    public IReadOnlyList<byte[]> ReadSigningKeys()
    {
        var texts = new List<(string Source, string Text)>();
        texts.AddRange(SigningKeys.Where(k => !string.IsNullOrWhiteSpace(k)).Select((k, i) => ($"Auth:Jwt:SigningKeys:{i}", k)));
        if (!string.IsNullOrWhiteSpace(SigningKeyFile))
        {
            if (!File.Exists(SigningKeyFile))
                throw new OptionsValidationException(nameof(AuthOptions), typeof(AuthOptions),
                    [$"Auth:Jwt:SigningKeyFile: file '{SigningKeyFile}' does not exist"]);
            texts.Add(("Auth:Jwt:SigningKeyFile", File.ReadAllText(SigningKeyFile)));
        }
        return texts.Select(t => Decode(t.Source, t.Text)).ToList();
    }

    /// <summary>256 bits: what HMAC-SHA256 needs to be as strong as its hash.</summary>
    public const int SigningKeyBytesMin = 32;

    private static byte[] Decode(string source, string text)
    {
        byte[] key;
        try { key = Convert.FromBase64String(text.Trim()); }
        catch (FormatException)
        {
            // Never echo the value: it is a secret.
            throw new OptionsValidationException(nameof(AuthOptions), typeof(AuthOptions), [$"{source} is not base64"]);
        }
        if (key.Length < SigningKeyBytesMin)
            throw new OptionsValidationException(nameof(AuthOptions), typeof(AuthOptions),
                [$"{source} must decode to at least {SigningKeyBytesMin} bytes (got {key.Length}); make one with: head -c 32 /dev/urandom | base64"]);
        return key;
    }
}

/// <summary>One service's API key: the caller sends <c>x-api-key: {Id}.{secret}</c>; only the secret's hash is kept here.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The key's name, also the caller's identity for rate limits and logs.</summary>
    public string Id { get; set; } = "";

    /// <summary><c>sha256:{salt base64}:{SHA-256(salt ‖ secret) base64}</c>, as <c>orleans-wallet apikey create</c> prints it.</summary>
    public string SecretHash { get; set; } = "";

    /// <summary>Roles the key grants: <c>user</c>, <c>operator</c>, <c>admin</c>.</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>The user a <c>user</c>-role key acts for.</summary>
    public string? UserId { get; set; }
}

public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        var jwt = options.Jwt;
        if (string.IsNullOrWhiteSpace(jwt.Issuer)) failures.Add("Auth:Jwt:Issuer is required");
        if (string.IsNullOrWhiteSpace(jwt.Audience)) failures.Add("Auth:Jwt:Audience is required");
        if (string.IsNullOrWhiteSpace(jwt.RoleClaim)) failures.Add("Auth:Jwt:RoleClaim is required");
        if (string.IsNullOrWhiteSpace(jwt.UserIdClaim)) failures.Add("Auth:Jwt:UserIdClaim is required");
        if (jwt.ClockSkew < TimeSpan.Zero || jwt.ClockSkew > TimeSpan.FromMinutes(5))
            failures.Add("Auth:Jwt:ClockSkew must be 0 to 5 minutes");
        if (!string.IsNullOrWhiteSpace(jwt.Authority) && !Uri.TryCreate(jwt.Authority, UriKind.Absolute, out _))
            failures.Add("Auth:Jwt:Authority must be an absolute URL");

        var keyCount = 0;
        try { keyCount = jwt.ReadSigningKeys().Count; }
        catch (OptionsValidationException e) { failures.AddRange(e.Failures); }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            if (!ApiKeyFormat.IsValidId(key.Id))
                failures.Add($"Auth:ApiKeys:{i}:Id must be 1-{ApiKeyFormat.IdLengthMax} letters, digits or '-'");
            else if (!ids.Add(key.Id))
                failures.Add($"Auth:ApiKeys:{i}:Id '{key.Id}' is used twice");
            if (!ApiKeyFormat.TryParseHash(key.SecretHash, out _, out _))
                failures.Add($"Auth:ApiKeys:{i}:SecretHash must be sha256:<salt base64>:<hash base64> (orleans-wallet apikey create prints it)");
            if (key.Roles.Count == 0 || key.Roles.Any(r => !WalletRoles.TryParse(r, out _)))
                failures.Add($"Auth:ApiKeys:{i}:Roles must list one or more of user, operator, admin");
            if (key.Roles.Contains(WalletRoles.User) && string.IsNullOrWhiteSpace(key.UserId))
                failures.Add($"Auth:ApiKeys:{i}:UserId is required for a key with the user role");
        }

        if (keyCount == 0 && string.IsNullOrWhiteSpace(jwt.Authority) && options.ApiKeys.Count == 0)
            failures.Add("Auth: no caller could ever be authenticated: set Auth:Jwt:SigningKeys (or SigningKeyFile), " +
                         "Auth:Jwt:Authority or Auth:ApiKeys (README: Security)");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>API keys as callers send them (<c>{id}.{secret}</c>) and as the silo keeps them (salted SHA-256).</summary>
public static class ApiKeyFormat
{
    public const string HeaderName = "x-api-key";
    public const int IdLengthMax = 64;

    /// <summary>
    /// The secret part is at most this long: a generated secret is 43 characters (32 random bytes,
    /// base64url); the bound keeps an attacker from making us hash megabytes.
    /// </summary>
    public const int SecretLengthMax = 256;

    private const string HashScheme = "sha256";

    public static bool IsValidId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= IdLengthMax && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>Splits <c>{id}.{secret}</c>; false for anything else.</summary>
    public static bool TrySplit(string value, out string id, out string secret)
    {
        var dot = value.IndexOf('.');
        id = dot > 0 ? value[..dot] : "";
        secret = dot > 0 ? value[(dot + 1)..] : "";
        return IsValidId(id) && secret.Length is > 0 and <= SecretLengthMax;
    }

    public static bool TryParseHash(string? text, out byte[] salt, out byte[] hash)
    {
        salt = hash = [];
        var parts = (text ?? "").Split(':');
        if (parts.Length != 3 || parts[0] != HashScheme) return false;
        try
        {
            salt = Convert.FromBase64String(parts[1]);
            hash = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length >= 16 && hash.Length == SHA256.HashSizeInBytes;
    }

    public static byte[] Hash(byte[] salt, string secret)
    {
        var secretBytes = System.Text.Encoding.UTF8.GetBytes(secret);
        var input = new byte[salt.Length + secretBytes.Length];
        salt.CopyTo(input, 0);
        secretBytes.CopyTo(input, salt.Length);
        return SHA256.HashData(input);
    }
}
