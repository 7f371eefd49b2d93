namespace OrleansWallet.Silo.Security;

/// <summary>What a call does, as far as who may do it is concerned.</summary>
public enum ApiOperation
{
    ListAssets,
    ReadBalances,
    Transfer,
    RequestWithdrawal,
    PlaceOrder,
    CancelOrder,
    ReadOrders,
    WatchOrderEvents,
    ReadHistory,
    ReadLedgerStatus,
    CreditDeposit,
    CompleteWithdrawal,
    FailWithdrawal,
    FillOrder,
    Reconcile,
    UpsertUser,
    SetTierLimit,
    AddToAllowlist,
}

/// <summary>
/// The one table of who may do what, used by every gRPC method and by every operation of a
/// batch alike. Three kinds of rule:
/// <list type="bullet">
/// <item><b>own wallet</b>: a <c>user</c> for the user id its credential names; operators and admins for any user;</item>
/// <item><b>a role</b>: only a caller holding it (operator: money in and out on outside evidence; admin: reference data);</item>
/// <item><b>any caller</b>: anyone authenticated (the asset list).</item>
/// </list>
/// Checked before anything else happens, so a refusal changes nothing.
/// </summary>
public static class AccessRules
{
    private enum Rule { AnyCaller, OwnWallet, Operator, Admin }

    private static Rule RuleOf(ApiOperation operation) => operation switch
    {
        ApiOperation.ListAssets => Rule.AnyCaller,
        ApiOperation.ReadBalances or ApiOperation.Transfer or ApiOperation.RequestWithdrawal or ApiOperation.PlaceOrder
            or ApiOperation.CancelOrder or ApiOperation.ReadOrders or ApiOperation.WatchOrderEvents or ApiOperation.ReadHistory
            or ApiOperation.ReadLedgerStatus => Rule.OwnWallet,
        ApiOperation.CreditDeposit or ApiOperation.CompleteWithdrawal or ApiOperation.FailWithdrawal or ApiOperation.FillOrder
            or ApiOperation.Reconcile => Rule.Operator,
        ApiOperation.UpsertUser or ApiOperation.SetTierLimit or ApiOperation.AddToAllowlist => Rule.Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "no access rule"),
    };

    /// <summary>
    /// Refuses (<see cref="AccessDeniedException"/>) unless <paramref name="caller"/> may do
    /// <paramref name="operation"/> on <paramref name="userId"/>'s wallet (null for operations on no wallet).
    /// The user id is compared exactly as sent, before it is validated: a user acting on any other string is refused.
    /// </summary>
    public static void Require(Caller caller, ApiOperation operation, string? userId = null)
    {
        if (!caller.IsAuthenticated) throw new UnauthenticatedException();
        var allowed = RuleOf(operation) switch
        {
            Rule.AnyCaller => true,
            Rule.Operator => caller.Has(Roles.Operator),
            Rule.Admin => caller.Has(Roles.Admin),
            Rule.OwnWallet => caller.ActsForAnyUser
                              || caller.Has(Roles.User) && caller.UserId is not null && string.Equals(userId, caller.UserId, StringComparison.Ordinal),
            _ => false,
        };
        if (!allowed) throw new AccessDeniedException(operation, caller.ToString(), DeniedBecause(caller, RuleOf(operation)));
    }

    private static string DeniedBecause(Caller caller, Rule rule) => rule switch
    {
        Rule.Operator => "needs the operator role",
        Rule.Admin => "needs the admin role",
        _ when caller.Has(Roles.User) => "a user credential acts only on its own wallet and orders",
        _ => "needs the user role (own wallet) or the operator or admin role",
    };
}

/// <summary>The caller may not do this (PermissionDenied / <c>permission_denied</c>); nothing was changed.</summary>
public sealed class AccessDeniedException(ApiOperation operation, string caller, string because)
    : Exception($"permission denied: {operation} {because}")
{
    public const string Reason = "permission_denied";

    public ApiOperation Operation { get; } = operation;

    /// <summary>The caller's kind and name (token subject or API key id), for the audit log.</summary>
    public string Caller { get; } = caller;
}

/// <summary>No valid credential came with the call (Unauthenticated / <c>unauthenticated</c>).</summary>
public sealed class UnauthenticatedException()
    : Exception("a valid bearer token (authorization: Bearer ...) or API key (x-api-key) is required")
{
    public const string Reason = "unauthenticated";
}
