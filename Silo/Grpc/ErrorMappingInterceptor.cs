using Grpc.Core;
using Grpc.Core.Interceptors;

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
        var refusal = ErrorMapping.ToRefusal(ex, method, logger);
        return new RpcException(new Status(refusal.Status, refusal.Message), new Metadata { { ReasonTrailer, refusal.Reason } });
    }
}
