using System.Numerics;
using OrleansWallet.Api.V1;
using static OrleansWallet.Client.ModelMapping;

namespace OrleansWallet.Client;

/// <summary>
/// Orders: place (the order id is the idempotency key), fill (an executor's report; the fill id
/// is the key), cancel, get, list.
/// </summary>
public sealed class OrdersClient
{
    private readonly WalletChannel _channel;
    private readonly OrderService.OrderServiceClient _grpc;

    internal OrdersClient(WalletChannel channel)
    {
        _channel = channel;
        _grpc = new OrderService.OrderServiceClient(channel.Invoker);
    }

    /// <summary>
    /// Sells up to <paramref name="sellAmount"/> of <paramref name="sellAsset"/> for at least
    /// <paramref name="minBuyAmount"/> of <paramref name="buyAsset"/>. An order the wallet cannot
    /// fund comes back <see cref="OrderState.Rejected"/> with its reason.
    /// </summary>
    public Task<OrderInfo> PlaceAsync(string orderId, string userId, string sellAsset, BigInteger sellAmount,
        string buyAsset, BigInteger minBuyAmount, CancellationToken cancellationToken = default) =>
        Call(() => _grpc.PlaceOrderAsync(new PlaceOrderRequest
        {
            OrderId = orderId, UserId = userId, SellAsset = sellAsset, SellAmount = Format(sellAmount),
            BuyAsset = buyAsset, MinBuyAmount = Format(minBuyAmount),
        }, Options(cancellationToken)).ResponseAsync);

    public Task<OrderInfo> FillAsync(string orderId, string fillId, BigInteger soldAmount, BigInteger boughtAmount,
        CancellationToken cancellationToken = default) =>
        Call(() => _grpc.FillOrderAsync(new FillOrderRequest
        {
            OrderId = orderId, FillId = fillId, SoldAmount = Format(soldAmount), BoughtAmount = Format(boughtAmount),
        }, Options(cancellationToken)).ResponseAsync);

    public Task<OrderInfo> CancelAsync(string orderId, CancellationToken cancellationToken = default) =>
        Call(() => _grpc.CancelOrderAsync(new CancelOrderRequest { OrderId = orderId }, Options(cancellationToken)).ResponseAsync);

    public Task<OrderInfo> GetAsync(string orderId, CancellationToken cancellationToken = default) =>
        Call(() => _grpc.GetOrderAsync(new GetOrderRequest { OrderId = orderId }, Options(cancellationToken)).ResponseAsync);

    public Task<OrderPage> ListAsync(string userId, int pageSize = 50, string? pageToken = null,
        CancellationToken cancellationToken = default) =>
        ErrorTranslation.Translate(async () =>
        {
            var reply = await _grpc.ListOrdersAsync(new ListOrdersRequest
            {
                UserId = userId, PageSize = pageSize, PageToken = pageToken ?? "",
            }, Options(cancellationToken));
            return new OrderPage(reply.Orders.Select(o => o.ToModel()).ToList(),
                string.IsNullOrEmpty(reply.NextPageToken) ? null : reply.NextPageToken);
        });

    /// <summary>
    /// Opens a watch on every event of <paramref name="userId"/>'s orders. Returns once the
    /// service has subscribed, so no event published after this returns is missed. No deadline:
    /// a watch lasts until it is disposed or <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<OrderEventWatch> WatchEventsAsync(string userId, CancellationToken cancellationToken = default)
    {
        var call = _grpc.WatchOrderEvents(new WatchOrderEventsRequest { UserId = userId }, cancellationToken: cancellationToken);
        try
        {
            await call.ResponseHeadersAsync;
        }
        catch (Grpc.Core.RpcException ex)
        {
            call.Dispose();
            throw ErrorTranslation.ToApiException(ex);
        }
        return new OrderEventWatch(call);
    }

    private static Task<OrderInfo> Call(Func<Task<Order>> call) =>
        ErrorTranslation.Translate(async () => (await call()).ToModel());

    private Grpc.Core.CallOptions Options(CancellationToken cancellationToken) => _channel.CallOptions(cancellationToken);
}
