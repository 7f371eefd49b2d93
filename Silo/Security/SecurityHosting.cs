using Microsoft.Extensions.Options;

namespace OrleansWallet.Silo.Security;

/// <summary>
/// The silo's security wiring in one place: connection secrets merged into configuration,
/// caller authentication, rate limits. The gRPC services opt in with
/// <see cref="RequireWalletCaller"/>; health, reflection, /metrics and /dashboard are untouched.
/// </summary>
public static class SecurityHosting
{
    /// <summary>Call first: later wiring reads the connection strings this completes.</summary>
    public static WebApplicationBuilder AddWalletSecurity(this WebApplicationBuilder builder)
    {
        ConnectionSecrets.Apply(builder.Configuration);
        builder.Services.AddOptions<AuthOptions>().Bind(builder.Configuration.GetSection(AuthOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        builder.Services.AddCallerAuthentication();
        builder.Services.AddCallerRateLimiting();
        return builder;
    }

    /// <summary>
    /// Adds the rate limiter to the pipeline. It runs after authorization (which ASP.NET Core puts
    /// first), so it partitions by the authenticated caller.
    /// </summary>
    public static WebApplication UseWalletSecurity(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }

    /// <summary>An authenticated caller, limited by its rate: for every gRPC service but health and reflection.</summary>
    public static TBuilder RequireWalletCaller<TBuilder>(this TBuilder endpoints) where TBuilder : IEndpointConventionBuilder =>
        endpoints.RequireAuthorization(CallerAuthentication.CallerPolicy).RequireRateLimiting(CallerRateLimiting.Policy);

    /// <summary>Rate limits without a credential (per IP): for health and reflection.</summary>
    public static TBuilder RequireAnonymousRateLimit<TBuilder>(this TBuilder endpoints) where TBuilder : IEndpointConventionBuilder =>
        endpoints.RequireRateLimiting(CallerRateLimiting.Policy);
}
