using Grpc.Core;

namespace OrleansWallet.Silo.Security;

/// <summary>
/// Answers a gRPC call from middleware (before the call reaches its service) as the services
/// answer refusals: a trailers-only response with <c>grpc-status</c>, <c>grpc-message</c> and the
/// <c>error-reason</c> the SDK maps to a typed exception. HTTP 401/429 would reach gRPC clients
/// as Unauthenticated/Unavailable without a reason, and Unavailable is retried.
/// </summary>
internal static class GrpcRefusalResponse
{
    public static bool IsGrpc(HttpContext context) =>
        context.Request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    public static Task WriteAsync(HttpContext context, StatusCode status, string reason, string message,
        IEnumerable<KeyValuePair<string, string>>? extraTrailers = null)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        response.Headers[Grpc.ErrorMappingInterceptor.ReasonTrailer] = reason;
        if (extraTrailers is not null)
            foreach (var (name, value) in extraTrailers) response.Headers[name] = value;
        return Task.CompletedTask;
    }
}
