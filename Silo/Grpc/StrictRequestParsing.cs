using Google.Protobuf;
using Grpc.Core;

namespace OrleansWallet.Silo.Grpc;

/// <summary>
/// Binds a generated service with request deserializers that answer bytes which are not a valid
/// message (truncated, wrong wire types, invalid UTF-8, nested too deep) with InvalidArgument /
/// <c>request_malformed</c>. Without it ASP.NET Core gRPC answers them Unknown ("Exception was
/// thrown by handler"), which reads as a server fault. Used through each service's
/// <see cref="BindServiceMethodAttribute"/>; the services' own code is unchanged.
/// </summary>
internal sealed class StrictRequestParsing(ServiceBinderBase inner) : ServiceBinderBase
{
    public const string Reason = "request_malformed";

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Strict(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Strict(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Strict(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Strict(method), handler);

    private static Method<TRequest, TResponse> Strict<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class where TResponse : class
    {
        var parse = method.RequestMarshaller.ContextualDeserializer;
        var requests = Marshallers.Create(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try
            {
                return parse(context);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the request is not a valid {typeof(TRequest).Name}: {e.Message}"),
                    new Metadata { { ErrorMappingInterceptor.ReasonTrailer, Reason } });
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, requests, method.ResponseMarshaller);
    }
}
