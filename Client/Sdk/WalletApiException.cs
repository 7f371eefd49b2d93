using Grpc.Core;

namespace OrleansWallet.Client;

/// <summary>
/// A refusal from the wallet service. <see cref="Reason"/> is the machine-readable reason
/// (e.g. <c>insufficient_funds</c>, <c>amount_malformed</c>); subclasses name the common kinds.
/// </summary>
public class WalletApiException(StatusCode status, string reason, string message, RpcException inner)
    : Exception(message, inner)
{
    public StatusCode Status { get; } = status;
    public string Reason { get; } = reason;
}

/// <summary>The request was malformed (InvalidArgument): fix it; retrying the same request cannot help.</summary>
public class InvalidRequestException(string reason, string message, RpcException inner)
    : WalletApiException(StatusCode.InvalidArgument, reason, message, inner);

/// <summary>An amount was missing, not base-10 digits, zero where positive was needed, or above 2^256-1.</summary>
public sealed class InvalidAmountException(string reason, string message, RpcException inner)
    : InvalidRequestException(reason, message, inner);

/// <summary>The asset symbol is not one the service keeps.</summary>
public sealed class UnknownAssetException(string message, RpcException inner)
    : InvalidRequestException("asset_unknown", message, inner);

/// <summary>Not enough available balance (FailedPrecondition, reason <c>insufficient_funds</c>).</summary>
public sealed class InsufficientFundsException(string message, RpcException inner)
    : WalletApiException(StatusCode.FailedPrecondition, "insufficient_funds", message, inner);

/// <summary>The state does not allow it (FailedPrecondition): e.g. an illegal order transition or an over-fill.</summary>
public sealed class PreconditionFailedException(string reason, string message, RpcException inner)
    : WalletApiException(StatusCode.FailedPrecondition, reason, message, inner);

/// <summary>The idempotency key was already used for a different request (AlreadyExists).</summary>
public sealed class IdempotencyConflictException(string message, RpcException inner)
    : WalletApiException(StatusCode.AlreadyExists, "idempotency_key_conflict", message, inner);

/// <summary>The order or withdrawal does not exist (NotFound).</summary>
public sealed class NotFoundException(string reason, string message, RpcException inner)
    : WalletApiException(StatusCode.NotFound, reason, message, inner);

/// <summary>
/// The service could not finish in time (Unavailable or DeadlineExceeded after all retries).
/// The operation may or may not have been applied: retry with the same idempotency key to learn which.
/// </summary>
public sealed class ServiceUnavailableException(StatusCode status, string reason, string message, RpcException inner)
    : WalletApiException(status, reason, message, inner);

/// <summary>The call came without a valid credential (Unauthenticated): no token or API key, or one that is expired, malformed or not signed by a trusted key.</summary>
public sealed class UnauthenticatedException(string message, RpcException inner)
    : WalletApiException(StatusCode.Unauthenticated, "unauthenticated", message, inner);

/// <summary>
/// The credential is valid but may not do this (PermissionDenied): a <c>user</c> acting on another
/// user's wallet or order, or a call that needs the operator or admin role. Nothing was changed.
/// </summary>
public sealed class PermissionDeniedException(string message, RpcException inner)
    : WalletApiException(StatusCode.PermissionDenied, "permission_denied", message, inner);

/// <summary>
/// This caller's rate limit was exceeded (ResourceExhausted, reason <c>rate_limited</c>); nothing
/// ran. Retry after <see cref="RetryAfter"/>.
/// </summary>
public sealed class RateLimitedException(string message, TimeSpan retryAfter, RpcException inner)
    : WalletApiException(StatusCode.ResourceExhausted, "rate_limited", message, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
