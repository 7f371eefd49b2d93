using Grpc.Core;

namespace OrleansWallet.Client;

internal static class ErrorTranslation
{
    public const string ReasonTrailer = "error-reason";

    public static async Task<T> Translate<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException ex)
        {
            throw ToApiException(ex);
        }
    }

    /// <summary>From <c>retry-after-ms</c>, else <c>retry-after</c> (seconds), else one second.</summary>
    private static TimeSpan RetryAfter(Metadata trailers)
    {
        if (long.TryParse(trailers.GetValue("retry-after-ms"), out var ms) && ms > 0) return TimeSpan.FromMilliseconds(ms);
        if (long.TryParse(trailers.GetValue("retry-after"), out var seconds) && seconds > 0) return TimeSpan.FromSeconds(seconds);
        return TimeSpan.FromSeconds(1);
    }

    public static WalletApiException ToApiException(RpcException ex)
    {
        var reason = ex.Trailers.GetValue(ReasonTrailer) ?? ex.StatusCode.ToString().ToLowerInvariant();
        var message = ex.Status.Detail;
        return ex.StatusCode switch
        {
            StatusCode.InvalidArgument when reason.StartsWith("amount_", StringComparison.Ordinal) =>
                new InvalidAmountException(reason, message, ex),
            StatusCode.InvalidArgument when reason == "asset_unknown" => new UnknownAssetException(message, ex),
            StatusCode.InvalidArgument => new InvalidRequestException(reason, message, ex),
            StatusCode.FailedPrecondition when reason == "insufficient_funds" => new InsufficientFundsException(message, ex),
            StatusCode.FailedPrecondition => new PreconditionFailedException(reason, message, ex),
            StatusCode.AlreadyExists => new IdempotencyConflictException(message, ex),
            StatusCode.NotFound => new NotFoundException(reason, message, ex),
            StatusCode.Unavailable or StatusCode.DeadlineExceeded => new ServiceUnavailableException(ex.StatusCode, reason, message, ex),
            StatusCode.Unauthenticated => new UnauthenticatedException(message, ex),
            StatusCode.PermissionDenied => new PermissionDeniedException(message, ex),
            StatusCode.ResourceExhausted when reason == "rate_limited" => new RateLimitedException(message, RetryAfter(ex.Trailers), ex),
            _ => new WalletApiException(ex.StatusCode, reason, message, ex),
        };
    }
}
