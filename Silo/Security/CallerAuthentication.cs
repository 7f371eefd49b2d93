using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace OrleansWallet.Silo.Security;

/// <summary>
/// The gRPC API's authentication: a policy scheme that hands a call with <c>x-api-key</c> to the
/// API-key handler and anything else to ASP.NET Core's JwtBearer handler. None of these is the
/// default scheme: they run only for endpoints that ask for <see cref="CallerPolicy"/> (the
/// wallet, order and ledger services), never for /health, /metrics or /dashboard.
/// </summary>
public static class CallerAuthentication
{
    public const string Scheme = "wallet-caller";
    public const string JwtScheme = "wallet-jwt";
    public const string ApiKeyScheme = "wallet-api-key";
    public const string CallerPolicy = "wallet-caller";

    public static IServiceCollection AddCallerAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<ValidatedTokenCache>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddAuthentication()
            .AddPolicyScheme(Scheme, "JWT bearer or API key", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyFormat.HeaderName) ? ApiKeyScheme : JwtScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyScheme, _ => { })
            .AddJwtBearer(JwtScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(JwtScheme).Configure<IOptions<AuthOptions>, ValidatedTokenCache>((bearer, auth, cache) =>
            Configure(bearer, auth.Value.Jwt, cache));
        services.AddAuthorizationBuilder().AddPolicy(CallerPolicy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser());
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, GrpcAuthorizationResultHandler>();
        return services;
    }

    private static void Configure(JwtBearerOptions bearer, JwtOptions jwt, ValidatedTokenCache cache)
    {
        bearer.Events = new JwtBearerEvents
        {
            // A token that validated before answers from the cache; anything else is validated in full.
            OnMessageReceived = context =>
            {
                if (ValidatedTokenCache.BearerToken(context.Request) is { } token && cache.TryGet(token, out var principal))
                {
                    context.Principal = principal;
                    context.Success();
                }
                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                if (ValidatedTokenCache.BearerToken(context.Request) is { } token && context.Principal is { } principal)
                    cache.Add(token, principal, context.SecurityToken.ValidTo);
                return Task.CompletedTask;
            },
        };
        // Claims keep their JWT names (sub, role), so the configured claim names mean what they say.
        bearer.MapInboundClaims = false;
        // The gRPC layer answers refusals itself; no WWW-Authenticate challenge details leak.
        bearer.IncludeErrorDetails = false;
        var keys = jwt.ReadSigningKeys().Select(k => (SecurityKey)new SymmetricSecurityKey(k)).ToList();
        if (!string.IsNullOrWhiteSpace(jwt.Authority))
        {
            bearer.Authority = jwt.Authority;
            bearer.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        }
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            IssuerSigningKeys = keys,
            // Shared keys sign with HMAC only; an authority's keys are asymmetric. Naming them
            // refuses "alg: none" and algorithm-confusion tokens.
            ValidAlgorithms = string.IsNullOrWhiteSpace(jwt.Authority)
                ? [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512]
                : null,
            ClockSkew = jwt.ClockSkew,
            NameClaimType = jwt.UserIdClaim,
            RoleClaimType = jwt.RoleClaim,
        };
    }
}
