using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansWallet.TestSupport;

/// <summary>
/// Credentials of one test cluster: a fresh random signing key its silos trust, tokens signed
/// with it, and one service API key (role operator). Nothing is shared between clusters.
/// </summary>
public sealed class TestCredentials
{
    public const string Issuer = "orleans-wallet";
    public const string Audience = "orleans-wallet-api";
    public const string ServiceKeyId = "test-service";

    /// <summary>The principal the fixtures' SDK channels use: both privileged roles, so every existing test can do everything.</summary>
    public const string TestOperator = "test-operator";

    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _serviceKeySalt = RandomNumberGenerator.GetBytes(16);

    public TestCredentials()
    {
        ServiceKeySecret = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
    }

    public string SigningKeyBase64 => Convert.ToBase64String(_signingKey);

    public string ServiceKeySecret { get; }

    /// <summary>The API key as a caller sends it.</summary>
    public string ServiceApiKey => $"{ServiceKeyId}.{ServiceKeySecret}";

    /// <summary>The silo settings that make it trust these credentials.</summary>
    public IReadOnlyDictionary<string, string?> SiloSettings => new Dictionary<string, string?>
    {
        ["Auth__Jwt__Issuer"] = Issuer,
        ["Auth__Jwt__Audience"] = Audience,
        ["Auth__Jwt__SigningKeys__0"] = SigningKeyBase64,
        ["Auth__ApiKeys__0__Id"] = ServiceKeyId,
        ["Auth__ApiKeys__0__SecretHash"] = ApiKeyHash(_serviceKeySalt, ServiceKeySecret),
        ["Auth__ApiKeys__0__Roles__0"] = "operator",
    };

    /// <summary>The token of the fixtures' default principal (roles operator and admin).</summary>
    public string OperatorToken() => Issue(TestOperator, ["operator", "admin"]);

    /// <summary>A token of role user acting for <paramref name="userId"/>.</summary>
    public string UserToken(string userId) => Issue(userId, ["user"]);

    public string Issue(string subject, IReadOnlyList<string> roles, TimeSpan? lifetime = null, byte[]? signingKey = null,
        string issuer = Issuer, string audience = Audience, DateTime? notBefore = null)
    {
        var now = DateTime.UtcNow;
        var start = notBefore ?? now;
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (roles.Count > 0) claims["role"] = roles.Count == 1 ? roles[0] : roles.ToArray();
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = start,
            NotBefore = start,
            Expires = start + (lifetime ?? TimeSpan.FromHours(1)),
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey ?? _signingKey), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary><c>sha256:{salt}:{SHA-256(salt ‖ secret)}</c>, as the silo keeps API keys.</summary>
    public static string ApiKeyHash(byte[] salt, string secret) =>
        $"sha256:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(SHA256.HashData([.. salt, .. System.Text.Encoding.UTF8.GetBytes(secret)]))}";
}
