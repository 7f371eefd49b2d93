using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace OrleansWallet.Silo.Observability;

/// <summary>
/// Who may read <c>/metrics</c> and <c>/dashboard</c>: a request on the operator listener's port
/// (never another port of the silo, whatever its Host header says) that, where credentials are
/// required, carries the configured basic credentials. Its own authentication scheme and policy,
/// named, so that authentication added to the gRPC API does not apply here nor this there.
/// </summary>
public static class OperatorAccess
{
    public const string Scheme = "OperatorBasic";
    public const string Policy = "operator";
    public const string Realm = "OrleansWallet operations";

    public static WebApplicationBuilder AddOperatorAccess(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<OperationsOptions>().Bind(builder.Configuration.GetSection(OperationsOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<OperatorCredentials>();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, OperatorBasicHandler>(Scheme, displayName: null, _ => { });
        builder.Services.AddSingleton<IAuthorizationHandler, OperatorPortHandler>();
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy =>
        {
            policy.AddAuthenticationSchemes(Scheme);
            policy.AddRequirements(new OperatorPortRequirement());
        });
        return builder;
    }

    /// <summary>The port the operator surfaces answer on.</summary>
    public static int Port(OperationsOptions operations, int httpPort) =>
        operations.Listener == OperatorListener.Internal ? operations.InternalPort : httpPort;
}

/// <summary>The configured credentials as SHA-256 digests, compared in constant time.</summary>
internal sealed class OperatorCredentials
{
    private readonly byte[] _usernameHash;
    private readonly byte[]? _passwordHash;

    public OperatorCredentials(IOptions<OperationsOptions> options)
    {
        var value = options.Value;
        _usernameHash = Hash(value.Username);
        _passwordHash = value.HasPassword ? Hash(value.Password!) : null;
    }

    public bool IsConfigured => _passwordHash is not null;

    public bool Matches(string username, string password)
    {
        if (_passwordHash is null) return false;
        // Both compared, always, each in constant time: neither which part was wrong nor how much
        // of it matched shows in the timing. Digests make the lengths equal.
        var usernameOk = CryptographicOperations.FixedTimeEquals(Hash(username), _usernameHash);
        var passwordOk = CryptographicOperations.FixedTimeEquals(Hash(password), _passwordHash);
        return usernameOk & passwordOk;
    }

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}

/// <summary>HTTP basic authentication against <see cref="OperatorCredentials"/>; never logs what it was sent.</summary>
internal sealed class OperatorBasicHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, OperatorCredentials credentials)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    // "Basic " + base64 of "user:password" with both at their length limit (4 UTF-8 bytes a
    // character at most, 4/3 for base64) fits well within this; longer is not ours to decode.
    private const int HeaderLengthMax = 4096;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return Task.FromResult(AuthenticateResult.NoResult());
        if (header.Length > HeaderLengthMax || !AuthenticationHeaderValue.TryParse(header, out var parsed)
            || !string.Equals(parsed.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || parsed.Parameter is null)
            return Task.FromResult(AuthenticateResult.NoResult());

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parsed.Parameter));
        }
        catch (FormatException)
        {
            return Task.FromResult(AuthenticateResult.Fail("malformed basic credentials"));
        }
        var colon = decoded.IndexOf(':');
        if (colon < 0 || !credentials.Matches(decoded[..colon], decoded[(colon + 1)..]))
            return Task.FromResult(AuthenticateResult.Fail("invalid operator credentials"));

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, decoded[..colon]), new Claim(ClaimTypes.Role, "operator")], OperatorAccess.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), OperatorAccess.Scheme)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"Basic realm=\"{OperatorAccess.Realm}\", charset=\"UTF-8\"";
        return Task.CompletedTask;
    }
}

internal sealed class OperatorPortRequirement : IAuthorizationRequirement;

/// <summary>
/// Succeeds for a request that arrived on the operator port (the socket's local port, which a
/// client cannot forge, unlike a Host header) and, where required, was authenticated as operator.
/// </summary>
internal sealed class OperatorPortHandler(IOptions<OperationsOptions> operations, IOptions<Hosting.SiloHostOptions> host)
    : AuthorizationHandler<OperatorPortRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OperatorPortRequirement requirement)
    {
        var http = context.Resource as HttpContext;
        var port = OperatorAccess.Port(operations.Value, host.Value.HttpPort);
        if (http is null || http.Connection.LocalPort != port) return Task.CompletedTask;
        if (operations.Value.RequiresCredentials
            && context.User.Identities.All(i => i.AuthenticationType != OperatorAccess.Scheme || !i.IsAuthenticated))
            return Task.CompletedTask;
        context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
