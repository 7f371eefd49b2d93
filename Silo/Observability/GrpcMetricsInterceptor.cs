using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Prometheus;

namespace OrleansWallet.Silo.Observability;

/// <summary>
/// Duration of every gRPC call by method and final status
/// (<c>grpc_server_request_duration_seconds</c>). Registered outermost, so it sees the status the
/// caller gets, after the error mapping. A server stream counts when it ends.
/// </summary>
internal sealed class GrpcMetricsInterceptor : Interceptor
{
    public const string DurationName = "grpc_server_request_duration_seconds";

    /// <summary>1 ms to 16 s in 15 doublings, as the operations guide asks.</summary>
    private static readonly Histogram Duration = Metrics.CreateHistogram(DurationName,
        "Duration of gRPC calls handled by this silo, by full method name and gRPC status",
        new HistogramConfiguration
        {
            // Both bounded: methods are those of the .proto, statuses the 17 gRPC codes. Never a user id.
            LabelNames = ["method", "status"],
            Buckets = Histogram.ExponentialBuckets(0.001, 2, 15),
        });

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        ObserveAsync(context, () => continuation(request, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        ObserveAsync(context, async () =>
        {
            await continuation(request, responseStream, context);
            return true;
        });

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        ObserveAsync(context, () => continuation(requestStream, context));

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        ObserveAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context);
            return true;
        });

    /// <summary>Runs one call of any kind and records its duration with the status its caller gets.</summary>
    private static async Task<T> ObserveAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var status = StatusCode.Unknown;
        try
        {
            var response = await call();
            status = context.Status.StatusCode;
            return response;
        }
        catch (Exception ex)
        {
            status = StatusOf(ex, context);
            throw;
        }
        finally
        {
            Observe(context, status, started);
        }
    }
    private static StatusCode StatusOf(Exception ex, ServerCallContext context) => ex switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException when context.CancellationToken.IsCancellationRequested => StatusCode.Cancelled,
        // What gRPC answers for an exception that is not an RpcException.
        _ => StatusCode.Unknown,
    };

    private static void Observe(ServerCallContext context, StatusCode status, long started) =>
        Duration.WithLabels(context.Method, status.ToString()).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
}
