using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace OrleansWallet.Silo.Security;

/// <summary>
/// Turns the authorization middleware's refusal of a gRPC call without a valid credential into
/// Unauthenticated / <c>unauthenticated</c>. Every other request (health, dashboard, metrics and
/// whatever policies they carry) gets ASP.NET Core's default handling.
/// </summary>
internal sealed class GrpcAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!GrpcRefusalResponse.IsGrpc(context) || authorizeResult.Succeeded || !IsCallerPolicy(policy))
            return _default.HandleAsync(next, context, policy, authorizeResult);
        // The caller policy only asks for an authenticated caller: roles and ownership are checked
        // by AccessRules inside the call, where the request is known.
        return GrpcRefusalResponse.WriteAsync(context, StatusCode.Unauthenticated, UnauthenticatedException.Reason,
            new UnauthenticatedException().Message);
    }

    private static bool IsCallerPolicy(AuthorizationPolicy policy) =>
        policy.AuthenticationSchemes.Contains(CallerAuthentication.Scheme);
}
