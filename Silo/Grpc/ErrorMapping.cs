using Grpc.Core;
using OrleansWallet.Ledger.Resilience;
using OrleansWallet.Silo.Security;

namespace OrleansWallet.Silo.Grpc;

/// <summary>A refusal as the API reports it: a status code, a machine-readable reason and a message for people.</summary>
internal readonly record struct ApiRefusal(StatusCode Status, string Reason, string Message);

/// <summary>
/// The one place where exceptions become refusals, for single calls (the interceptor) and for
/// each operation of a batch alike, so both answer the same input with the same status and reason.
/// </summary>
internal static class ErrorMapping
{
    public const string ClusterUnavailable = "cluster_unavailable";

    public static ApiRefusal ToRefusal(Exception ex, string method, ILogger logger)
    {
        switch (ex)
        {
            case WalletException refused:
                return new ApiRefusal(StatusOf(refused.Kind), refused.Code, refused.Message);
            case AccessDeniedException denied:
                // Who tried what, for the audit trail; the caller's name is never a secret.
                logger.LogInformation("{Method}: {Operation} refused to {Caller}", method, denied.Operation, denied.Caller);
                return new ApiRefusal(StatusCode.PermissionDenied, AccessDeniedException.Reason, denied.Message);
            case UnauthenticatedException unauthenticated:
                return new ApiRefusal(StatusCode.Unauthenticated, UnauthenticatedException.Reason, unauthenticated.Message);
            case DependencyUnavailableException unavailable:
                logger.LogWarning("{Method}: {Dependency} unavailable ({Reason})", method, unavailable.Dependency, unavailable.Reason);
                return new ApiRefusal(StatusCode.Unavailable, ErrorCodes.LedgerUnavailable,
                    $"the ledger database is unavailable ({unavailable.Reason}); nothing was changed, retry later");
            case ArgumentException invalid:
                // The ledger library names bad input this way (page size, page token, address for its chain).
                return new ApiRefusal(StatusCode.InvalidArgument, ErrorCodes.FieldMalformed, invalid.Message);
            case StackExchange.Redis.RedisException:
                logger.LogWarning(ex, "{Method}: Redis unavailable", method);
                return new ApiRefusal(StatusCode.Unavailable, ErrorCodes.StorageUnavailable,
                    "storage is unavailable; nothing was changed unless a retry with the same key says so");
            case TimeoutException or OrleansException or OperationCanceledException:
                logger.LogWarning(ex, "{Method}: cluster did not answer", method);
                return new ApiRefusal(StatusCode.Unavailable, ClusterUnavailable,
                    "the wallet cluster did not answer in time; retry with the same idempotency key");
            default:
                logger.LogError(ex, "{Method} failed", method);
                return new ApiRefusal(StatusCode.Internal, "internal", "internal error; retry with the same idempotency key");
        }
    }

    private static StatusCode StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        ErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        ErrorKind.NotFound => StatusCode.NotFound,
        ErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        ErrorKind.Unavailable => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };
}
