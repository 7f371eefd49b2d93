using Grpc.Core;
using OrleansWallet.Api.V1;

namespace OrleansWallet.Client;

/// <summary>An open WatchOrderEvents call; read its events, dispose it to stop watching.</summary>
public sealed class OrderEventWatch : IDisposable
{
    private readonly AsyncServerStreamingCall<OrderEvent> _call;

    internal OrderEventWatch(AsyncServerStreamingCall<OrderEvent> call) => _call = call;

    /// <summary>The events as they arrive, until the watch ends or is cancelled.</summary>
    public async IAsyncEnumerable<OrderEventInfo> ReadAllAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var events = _call.ResponseStream;
        while (true)
        {
            bool next;
            try
            {
                next = await events.MoveNext(cancellationToken);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                yield break;
            }
            catch (RpcException ex)
            {
                throw ErrorTranslation.ToApiException(ex);
            }
            if (!next) yield break;
            yield return ModelMapping.ToModel(events.Current);
        }
    }

    public void Dispose() => _call.Dispose();
}
