using Grpc.Core;
using Grpc.Core.Interceptors;
using OrleansWallet.Ledger.Resilience;

namespace OrleansWallet.Silo.Grpc;

/// <summary>
/// The one place where refusals become gRPC statuses: the status code from the error's kind,
/// the message for people, and the machine-readable reason in the <c>error-reason</c> trailer.
/// </summary>
public sealed class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public const string ReasonTrailer = "error-reason";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context.Method);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context.Method);
        }
    }

    private RpcException Map(Exception ex, string method)
    {
        switch (ex)
        {
            case WalletException refused:
                return Refusal(StatusOf(refused.Kind), refused.Code, refused.Message);
            case DependencyUnavailableException unavailable:
                logger.LogWarning("{Method}: {Dependency} unavailable ({Reason})", method, unavailable.Dependency, unavailable.Reason);
                return Refusal(StatusCode.Unavailable, ErrorCodes.LedgerUnavailable,
                    $"the ledger database is unavailable ({unavailable.Reason}); nothing was changed, retry later");
            case ArgumentException invalid:
                // The ledger library names bad input this way (page size, page token, address for its chain).
                return Refusal(StatusCode.InvalidArgument, ErrorCodes.FieldMalformed, invalid.Message);
            case TimeoutException or OrleansException or OperationCanceledException:
                logger.LogWarning(ex, "{Method}: cluster did not answer", method);
                return Refusal(StatusCode.Unavailable, "cluster_unavailable",
                    "the wallet cluster did not answer in time; retry with the same idempotency key");
            default:
                logger.LogError(ex, "{Method} failed", method);
                return Refusal(StatusCode.Internal, "internal", "internal error; retry with the same idempotency key");
        }
    }

    private static RpcException Refusal(StatusCode code, string reason, string message) =>
        new(new Status(code, message), new Metadata { { ReasonTrailer, reason } });

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
