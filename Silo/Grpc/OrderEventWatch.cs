using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Orleans.Streams;
using OrleansWallet.Orders;

namespace OrleansWallet.Silo.Grpc;

/// <summary>
/// Feeds one WatchOrderEvents call from the user's Orleans stream: subscribes, forwards each
/// event once (the stream may repeat events after a failover), unsubscribes when the call ends.
/// </summary>
internal sealed class OrderEventWatch(IClusterClient cluster, ILogger<OrderEventWatch> logger)
{
    /// <summary>Events buffered for a slow watcher; past this the call ends rather than grow without bound.</summary>
    private const int BufferedEventsMax = 10_000;

    /// <summary>How many recent event ids are remembered to drop repeats.</summary>
    private const int RecentEventIdsMax = 4_096;

    public async Task RunAsync(string userId, IServerStreamWriter<Api.V1.OrderEvent> output, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var buffer = Channel.CreateBounded<OrderEvent>(new BoundedChannelOptions(BufferedEventsMax)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var stream = cluster.GetStreamProvider(OrderEventStream.ProviderName)
            .GetStream<OrderEvent>(StreamId.Create(OrderEventStream.Namespace, userId));
        var subscription = await stream.SubscribeAsync((evt, _) =>
        {
            if (!buffer.Writer.TryWrite(evt))
                buffer.Writer.TryComplete(new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"the watcher fell more than {BufferedEventsMax} events behind; watch again and resume from the order's current state")));
            return Task.CompletedTask;
        });
        try
        {
            // Headers tell the caller the subscription is live: nothing published from now on is missed.
            await context.WriteResponseHeadersAsync(new Metadata());
            var recent = new Queue<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var evt in buffer.Reader.ReadAllAsync(cancellationToken))
            {
                if (!seen.Add(evt.EventId)) continue;
                recent.Enqueue(evt.EventId);
                if (recent.Count > RecentEventIdsMax) seen.Remove(recent.Dequeue());
                await output.WriteAsync(ToProto(evt), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller went away: a normal end of a watch.
        }
        finally
        {
            try { await subscription.UnsubscribeAsync(); }
            catch (Exception ex) { logger.LogWarning(ex, "Unsubscribing the order-event watch of {User} failed", userId); }
        }
    }

    private static Api.V1.OrderEvent ToProto(OrderEvent evt) => new()
    {
        EventId = evt.EventId,
        Type = evt.Type,
        UserId = evt.UserId,
        OrderId = evt.OrderId,
        Sequence = evt.Sequence,
        Timestamp = Timestamp.FromDateTimeOffset(evt.Timestamp),
        Order = new Api.V1.Order
        {
            OrderId = evt.OrderId,
            UserId = evt.UserId,
            SellAsset = evt.Payload.SellAsset,
            SellAmount = evt.Payload.SellAmount,
            BuyAsset = evt.Payload.BuyAsset,
            MinBuyAmount = evt.Payload.MinBuyAmount,
            Status = System.Enum.TryParse<OrderStatus>(evt.Payload.Status, out var status) ? status.ToProto() : Api.V1.OrderStatus.Unspecified,
            SoldAmount = evt.Payload.SoldAmount,
            BoughtAmount = evt.Payload.BoughtAmount,
            RejectReason = evt.Payload.RejectReason ?? "",
            UpdatedAt = Timestamp.FromDateTimeOffset(evt.Timestamp),
        },
        FillId = evt.Payload.FillId ?? "",
        FillSoldAmount = evt.Payload.FillSoldAmount ?? "",
        FillBoughtAmount = evt.Payload.FillBoughtAmount ?? "",
    };
}
