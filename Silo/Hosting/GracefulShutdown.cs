using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using OrleansWallet.Silo.Grpc;

namespace OrleansWallet.Silo.Hosting;

/// <summary>
/// How a silo stops (SIGTERM, Ctrl-C, a pod deleted): readiness turns false at once, Kestrel
/// stops taking calls and lets those in flight finish, open server streams end with
/// <c>Unavailable</c> so their callers watch again on another silo, then Orleans deactivates the
/// grains and the silo leaves the membership table.
/// </summary>
/// <remarks>
/// Why streams need ending: Kestrel's graceful stop waits for every open request, and a
/// WatchOrderEvents call never ends by itself. It held the stop until the host's shutdown
/// timeout (30 s by default) ran out; Orleans' own stop then got an already-cancelled token and
/// stopped non-gracefully ("Some grains failed to deactivate promptly").
/// </remarks>
public static class GracefulShutdown
{
    public const string ShuttingDownReason = "silo_shutting_down";

    public static WebApplicationBuilder AddGracefulShutdown(this WebApplicationBuilder builder)
    {
        var host = builder.Configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        // A bound for a stop that hangs (a dependency that never answers). A normal stop takes 1-2 s.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = host.ShutdownTimeout);
        builder.Services.AddSingleton<EndStreamsOnShutdownInterceptor>();
        builder.Services.Configure<GrpcServiceOptions>(o => o.Interceptors.Add<EndStreamsOnShutdownInterceptor>());
        return builder;
    }
}

/// <summary>Ends server-streaming and duplex calls when the host begins to stop.</summary>
internal sealed class EndStreamsOnShutdownInterceptor(IHostApplicationLifetime lifetime) : Interceptor
{
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await continuation(request, responseStream, new StoppableCallContext(context, linked.Token));
        }
        catch (OperationCanceledException) when (StoppedByHost(context))
        {
        }
        if (StoppedByHost(context)) throw ShuttingDown();
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await continuation(requestStream, responseStream, new StoppableCallContext(context, linked.Token));
        }
        catch (OperationCanceledException) when (StoppedByHost(context))
        {
        }
        if (StoppedByHost(context)) throw ShuttingDown();
    }

    private bool StoppedByHost(ServerCallContext context) =>
        lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested;

    private static RpcException ShuttingDown() =>
        new(new Status(StatusCode.Unavailable, "this silo is shutting down; call again (another silo answers)"),
            new Metadata { { ErrorMappingInterceptor.ReasonTrailer, GracefulShutdown.ShuttingDownReason } });
}

/// <summary>The call's context with a cancellation token that also fires when the host stops.</summary>
internal sealed class StoppableCallContext : ServerCallContext
{
    // The key Grpc.AspNetCore's GetHttpContext() looks up in UserState when the context is not its own.
    private const string HttpContextKey = "__HttpContext";

    private readonly ServerCallContext _inner;
    private readonly CancellationToken _cancellationToken;

    public StoppableCallContext(ServerCallContext inner, CancellationToken cancellationToken)
    {
        _inner = inner;
        _cancellationToken = cancellationToken;
        // Services (and authentication added to them) can still reach the HttpContext through this wrapper.
        if (!inner.UserState.ContainsKey(HttpContextKey)) inner.UserState[HttpContextKey] = inner.GetHttpContext();
    }

    protected override string MethodCore => _inner.Method;
    protected override string HostCore => _inner.Host;
    protected override string PeerCore => _inner.Peer;
    protected override DateTime DeadlineCore => _inner.Deadline;
    protected override Metadata RequestHeadersCore => _inner.RequestHeaders;
    protected override CancellationToken CancellationTokenCore => _cancellationToken;
    protected override Metadata ResponseTrailersCore => _inner.ResponseTrailers;

    protected override Status StatusCore
    {
        get => _inner.Status;
        set => _inner.Status = value;
    }

    protected override WriteOptions? WriteOptionsCore
    {
        get => _inner.WriteOptions;
        set => _inner.WriteOptions = value;
    }

    protected override AuthContext AuthContextCore => _inner.AuthContext;
    protected override IDictionary<object, object> UserStateCore => _inner.UserState;

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        _inner.CreatePropagationToken(options);

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => _inner.WriteResponseHeadersAsync(responseHeaders);
}
