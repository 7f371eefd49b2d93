using System.Security.Claims;
using Grpc.Core;

namespace OrleansWallet.Silo.Security;

public enum CredentialKind
{
    None,
    Token,
    ApiKey,
}

/// <summary>
/// Who is calling, as the credential says: a name (the token's subject or the API key's id: for
/// rate limits and logs, never a secret), its roles, and for a <c>user</c> the one user id it
/// may act for.
/// </summary>
public sealed record Caller(CredentialKind Kind, string Name, Roles Roles, string? UserId)
{
    /// <summary>The claim an API key's principal names its key with.</summary>
    public const string ApiKeyIdClaim = "ow:api_key";

    public static readonly Caller Anonymous = new(CredentialKind.None, "anonymous", Roles.None, null);

    public bool IsAuthenticated => Kind != CredentialKind.None;

    public bool Has(Roles role) => (Roles & role) != 0;

    /// <summary>Operators and admins act for any user; a <c>user</c> only for the id in its credential.</summary>
    public bool ActsForAnyUser => Has(Roles.Operator | Roles.Admin);

    public override string ToString() => Kind == CredentialKind.ApiKey ? $"api-key:{Name}" : Kind == CredentialKind.Token ? $"token:{Name}" : Name;

    public static Caller Of(ServerCallContext context) => From(context.GetHttpContext().User);

    /// <summary>
    /// Reads the caller from a principal made by the silo's JWT or API-key handler (role and user
    /// id claims as that identity names them); anything unauthenticated is <see cref="Anonymous"/>.
    /// </summary>
    public static Caller From(ClaimsPrincipal principal)
    {
        if (principal.Identity is not ClaimsIdentity { IsAuthenticated: true } identity) return Anonymous;
        var roles = Roles.None;
        string? userId = null;
        string? apiKeyId = null;
        foreach (var claim in identity.Claims)
        {
            if (claim.Type == identity.RoleClaimType)
            {
                if (WalletRoles.TryParse(claim.Value, out var role)) roles |= role;
            }
            else if (claim.Type == identity.NameClaimType) userId ??= claim.Value;
            // Only the API-key handler's own identity names a key: a token cannot claim to be one.
            else if (claim.Type == ApiKeyIdClaim && identity.AuthenticationType == CallerAuthentication.ApiKeyScheme) apiKeyId ??= claim.Value;
        }
        userId = string.IsNullOrEmpty(userId) ? null : userId;
        return apiKeyId is not null
            ? new Caller(CredentialKind.ApiKey, apiKeyId, roles, userId)
            : new Caller(CredentialKind.Token, userId ?? "(no subject)", roles, userId);
    }
}
