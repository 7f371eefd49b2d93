using System.Globalization;
using Grpc.Core;
using OrleansWallet.Api.V1;
using OrleansWallet.Assets;
using OrleansWallet.Orders;
using OrleansWallet.Silo.Security;
using static OrleansWallet.Silo.Grpc.ApiMapping;

namespace OrleansWallet.Silo.Grpc;

/// <summary>
/// The order API: place, fill (from an executor), cancel, get, list, watch. Each call first checks
/// the caller may do it (<see cref="AccessRules"/>); calls that name only an order check its owner.
/// </summary>
[BindServiceMethod(typeof(OrdersService), nameof(BindService))]
internal sealed class OrdersService(IGrainFactory grains, AssetCatalog assets, UserOrderIndex index, OrderEventWatch watch)
    : OrderService.OrderServiceBase
{
    /// <summary>Binds the generated service with strict request parsing (<see cref="StrictRequestParsing"/>).</summary>
    public static void BindService(ServiceBinderBase binder, OrderService.OrderServiceBase service) =>
        OrderService.BindService(new StrictRequestParsing(binder), service);

    /// <summary>50: a screenful; the grain bounds the largest page.</summary>
    private const int DefaultPageSize = 50;

    public override async Task<Api.V1.Order> PlaceOrder(PlaceOrderRequest request, ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.PlaceOrder, request.UserId);
        var orderId = Identifiers.RequireOrderId(request.OrderId);
        var command = new PlaceOrder(
            Identifiers.RequireUserId(request.UserId),
            assets.Require(request.SellAsset, "sell_asset").Symbol,
            ParseAmount(request.SellAmount, "sell_amount"),
            assets.Require(request.BuyAsset, "buy_asset").Symbol,
            ParseAmount(request.MinBuyAmount, "min_buy_amount"));
        return (await Order(orderId).Place(command)).ToProto();
    }

    public override async Task<Api.V1.Order> FillOrder(FillOrderRequest request, ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.FillOrder);
        var orderId = Identifiers.RequireOrderId(request.OrderId);
        var command = new FillOrder(
            Identifiers.RequireKey(request.FillId, "fill_id"),
            ParseAmount(request.SoldAmount, "sold_amount"),
            ParseAmount(request.BoughtAmount, "bought_amount"));
        return (await Order(orderId).Fill(command)).ToProto();
    }

    public override async Task<Api.V1.Order> CancelOrder(CancelOrderRequest request, ServerCallContext context)
    {
        var orderId = Identifiers.RequireOrderId(request.OrderId);
        await RequireOrderOwner(Caller.Of(context), ApiOperation.CancelOrder, orderId);
        return (await Order(orderId).Cancel()).ToProto();
    }

    public override async Task<Api.V1.Order> GetOrder(GetOrderRequest request, ServerCallContext context)
    {
        var orderId = Identifiers.RequireOrderId(request.OrderId);
        return (await RequireOrderOwner(Caller.Of(context), ApiOperation.ReadOrders, orderId)).ToProto();
    }

    /// <summary>
    /// The order, if the caller may act on its user. An order's user never changes once it is
    /// placed, so checking before acting is safe; an order never placed is NotFound before any
    /// command reaches its grain, so a refused cancel cannot race a later placement.
    /// </summary>
    private async Task<OrderView> RequireOrderOwner(Caller caller, ApiOperation operation, string orderId)
    {
        // A caller who may act on no wallet at all is refused before the order is looked up.
        AccessRules.Require(caller, operation, caller.ActsForAnyUser ? null : caller.UserId);
        var order = await Order(orderId).Get() ?? throw NeverPlaced(orderId);
        AccessRules.Require(caller, operation, order.UserId);
        return order;
    }

    private static WalletException NeverPlaced(string orderId) =>
        new(ErrorCodes.OrderNotFound, $"order '{orderId}' was never placed");

    public override async Task<ListOrdersReply> ListOrders(ListOrdersRequest request, ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.ReadOrders, request.UserId);
        var userId = Identifiers.RequireUserId(request.UserId);
        var pageSize = request.PageSize == 0 ? DefaultPageSize : request.PageSize;
        var offset = 0;
        if (request.PageToken.Length > 0 && !int.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            throw new WalletException(ErrorCodes.FieldMalformed, "page_token is not a token this API returned");

        var ids = await index.ListAsync(userId, offset, pageSize);
        var orders = await Task.WhenAll(ids.Select(id => Order(id).Get()));
        var reply = new ListOrdersReply
        {
            NextPageToken = ids.Count == pageSize ? (offset + ids.Count).ToString(CultureInfo.InvariantCulture) : "",
        };
        reply.Orders.AddRange(orders.Where(o => o is not null).Select(o => o!.ToProto()));
        return reply;
    }

    public override Task WatchOrderEvents(WatchOrderEventsRequest request, IServerStreamWriter<Api.V1.OrderEvent> responseStream,
        ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.WatchOrderEvents, request.UserId);
        return watch.RunAsync(Identifiers.RequireUserId(request.UserId), responseStream, context);
    }

    private IOrderGrain Order(string orderId) => grains.GetGrainByKey<IOrderGrain>(orderId);
}
