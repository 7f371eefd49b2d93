using OrleansWallet.Assets;
using OrleansWallet.Money;

namespace OrleansWallet.Orders;

/// <summary>
/// The order aggregate: guards its own transitions and the money rules of fills. Pure: the
/// grain persists it and performs the wallet steps it asks for.
/// </summary>
[GenerateSerializer]
public sealed class Order
{
    /// <summary>Fills per order are bounded so an order's state stays small enough to persist on every change.</summary>
    public const int FillsMax = 1_000;

    [Id(0)] public string OrderId { get; private set; } = "";
    [Id(1)] public string UserId { get; private set; } = "";
    [Id(2)] public string SellAsset { get; private set; } = "";
    [Id(3)] public Amount SellAmount { get; private set; }
    [Id(4)] public string BuyAsset { get; private set; } = "";
    [Id(5)] public Amount MinBuyAmount { get; private set; }
    [Id(6)] public OrderStatus Status { get; private set; }
    [Id(7)] public Amount Sold { get; private set; }
    [Id(8)] public Amount Bought { get; private set; }
    [Id(9)] public string? RejectReason { get; private set; }
    [Id(10)] public DateTimeOffset CreatedAt { get; private set; }
    [Id(11)] public DateTimeOffset UpdatedAt { get; private set; }
    [Id(12)] public List<OrderFill> Fills { get; private set; } = [];

    /// <summary>The sequence number of the last event this order emitted (per order, from 1).</summary>
    [Id(13)] public long EventSequence { get; private set; }

    public Amount Remaining => SellAmount - Sold;

    public static Order Place(string orderId, PlaceOrder command, AssetCatalog assets, DateTimeOffset now)
    {
        Identifiers.RequireOrderId(orderId);
        Identifiers.RequireUserId(command.UserId);
        assets.Require(command.SellAsset, "sell_asset");
        assets.Require(command.BuyAsset, "buy_asset");
        if (command.SellAsset == command.BuyAsset)
            throw new WalletException(ErrorCodes.SameAssetOrder, "sell_asset and buy_asset must differ");
        if (command.SellAmount.IsZero)
            throw new WalletException(ErrorCodes.AmountZero, "sell_amount must be greater than zero");
        if (command.MinBuyAmount.IsZero)
            throw new WalletException(ErrorCodes.AmountZero, "min_buy_amount must be greater than zero");
        return new Order
        {
            OrderId = orderId,
            UserId = command.UserId,
            SellAsset = command.SellAsset,
            SellAmount = command.SellAmount,
            BuyAsset = command.BuyAsset,
            MinBuyAmount = command.MinBuyAmount,
            Status = OrderStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>Refuses a second Place with the same order id but another payload.</summary>
    public void RequireSamePlacement(PlaceOrder command)
    {
        if (command.UserId != UserId || command.SellAsset != SellAsset || command.SellAmount != SellAmount
            || command.BuyAsset != BuyAsset || command.MinBuyAmount != MinBuyAmount)
            throw new WalletException(ErrorCodes.IdempotencyConflict, $"order '{OrderId}' was already placed with different terms");
    }

    public OrderEvent MarkFundsHeld(DateTimeOffset now)
    {
        RequireStatus("mark held", OrderStatus.Pending);
        Status = OrderStatus.Placed;
        UpdatedAt = now;
        return NextEvent(OrderEventTypes.Placed, now, fill: null);
    }

    public OrderEvent Reject(string reason, DateTimeOffset now)
    {
        RequireStatus("reject", OrderStatus.Pending);
        Status = OrderStatus.Rejected;
        RejectReason = reason;
        UpdatedAt = now;
        return NextEvent(OrderEventTypes.Rejected, now, fill: null);
    }

    /// <summary>
    /// Applies a fill, or returns the recorded fill if this fill id was already applied with the
    /// same amounts. The limit is checked with integer cross-multiplication:
    /// bought / sold ≥ minBuy / sellAmount  ⇔  bought × sellAmount ≥ minBuy × sold.
    /// </summary>
    public FillResult ApplyFill(FillOrder fill, DateTimeOffset now)
    {
        var fillId = Identifiers.RequireKey(fill.FillId, "fill_id");
        var existing = Fills.Find(f => f.FillId == fillId);
        if (existing is not null)
        {
            if (existing.Sold != fill.Sold || existing.Bought != fill.Bought)
                throw new WalletException(ErrorCodes.IdempotencyConflict, $"fill '{fillId}' was already applied with different amounts");
            if (existing.RefusedReason is { } refused)
                throw new WalletException(refused, $"fill '{fillId}' was refused by the user's wallet ({refused}) and undone");
            return new FillResult(existing, IsNew: false, Event: null);
        }
        RequireStatus("fill", OrderStatus.Placed, OrderStatus.PartiallyFilled);
        if (fill.Sold.IsZero) throw new WalletException(ErrorCodes.AmountZero, "sold_amount must be greater than zero");
        if (fill.Bought.IsZero) throw new WalletException(ErrorCodes.AmountZero, "bought_amount must be greater than zero");
        if (fill.Sold > Remaining)
            throw new WalletException(ErrorCodes.OrderOverfill,
                $"fill sells {fill.Sold} {SellAsset} but only {Remaining} remains of order '{OrderId}'");
        if (fill.Bought.Value * SellAmount.Value < MinBuyAmount.Value * fill.Sold.Value)
            throw new WalletException(ErrorCodes.FillBelowLimit,
                $"fill price {fill.Bought}/{fill.Sold} is below the order's limit {MinBuyAmount}/{SellAmount}");
        if (Fills.Count >= FillsMax)
            throw new WalletException(ErrorCodes.OrderIllegalTransition, $"order '{OrderId}' already has {FillsMax} fills, the most one order may have");

        // Both sums first: one that passes 2^256-1 refuses the fill before anything changed.
        var sold = Sold + fill.Sold;
        var bought = Bought + fill.Bought;
        Sold = sold;
        Bought = bought;
        Status = Sold == SellAmount ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        UpdatedAt = now;
        var recorded = new OrderFill { FillId = fillId, Sold = fill.Sold, Bought = fill.Bought };
        Fills.Add(recorded);
        var type = Status == OrderStatus.Filled ? OrderEventTypes.Filled : OrderEventTypes.PartiallyFilled;
        return new FillResult(recorded, IsNew: true, NextEvent(type, now, recorded));
    }

    /// <summary>The wallet has settled this fill (held sold asset out, bought asset in).</summary>
    public void MarkSettled(string fillId) => RequireFill(fillId).Settled = true;

    /// <summary>
    /// The user's wallet refused a recorded fill for good (its total of the bought asset would pass
    /// 2^256-1): the fill is undone on the order — nothing of it moved on the wallet — and kept
    /// with its reason, so a retry of the same fill id is refused alike.
    /// </summary>
    public OrderEvent RefuseFill(string fillId, string reason, DateTimeOffset now)
    {
        var fill = RequireFill(fillId);
        if (fill.Settled || fill.RefusedReason is not null)
            throw new InvalidOperationException($"fill '{fillId}' of order '{OrderId}' is already settled or refused");
        Sold -= fill.Sold;
        Bought -= fill.Bought;
        fill.RefusedReason = reason;
        if (Status is OrderStatus.PartiallyFilled or OrderStatus.Filled)
            Status = Sold.IsZero ? OrderStatus.Placed : OrderStatus.PartiallyFilled;
        UpdatedAt = now;
        return NextEvent(OrderEventTypes.FillRefused, now, fill);
    }

    private OrderFill RequireFill(string fillId) =>
        Fills.Find(f => f.FillId == fillId) ?? throw new InvalidOperationException($"order '{OrderId}' has no fill '{fillId}'");

    /// <summary>A copy to change; the grain keeps the committed order untouched until the copy is written.</summary>
    public Order Clone()
    {
        var copy = (Order)MemberwiseClone();
        copy.Fills = Fills.Select(f => f.Clone()).ToList();
        return copy;
    }

    /// <summary>Cancels an open order. Cancelling a cancelled order changes nothing (returns null).</summary>
    public OrderEvent? Cancel(DateTimeOffset now)
    {
        if (Status == OrderStatus.Cancelled) return null;
        RequireStatus("cancel", OrderStatus.Placed, OrderStatus.PartiallyFilled);
        Status = OrderStatus.Cancelled;
        UpdatedAt = now;
        return NextEvent(OrderEventTypes.Cancelled, now, fill: null);
    }

    private OrderEvent NextEvent(string type, DateTimeOffset now, OrderFill? fill)
    {
        EventSequence++;
        return new OrderEvent(OrderEvent.CurrentSchemaVersion, $"{OrderId}:{EventSequence}", type, UserId, OrderId,
            EventSequence, now, new OrderEventPayload(
                Status.ToString(), SellAsset, SellAmount.ToString(), BuyAsset, MinBuyAmount.ToString(),
                Sold.ToString(), Bought.ToString(), fill?.FillId, fill?.Sold.ToString(), fill?.Bought.ToString(), RejectReason));
    }

    public OrderView ToView() => new(OrderId, UserId, SellAsset, SellAmount, BuyAsset, MinBuyAmount,
        Status, Sold, Bought, RejectReason, CreatedAt, UpdatedAt);

    private void RequireStatus(string action, params OrderStatus[] allowed)
    {
        if (!allowed.Contains(Status))
            throw new WalletException(ErrorCodes.OrderIllegalTransition,
                $"cannot {action} order '{OrderId}': it is {Status}, and {action} needs {string.Join(" or ", allowed)}");
    }
}

[GenerateSerializer]
public sealed class OrderFill
{
    [Id(0)] public string FillId { get; set; } = "";
    [Id(1)] public Amount Sold { get; set; }
    [Id(2)] public Amount Bought { get; set; }

    /// <summary>True once the wallet has settled this fill (held sold asset out, bought asset in).</summary>
    [Id(3)] public bool Settled { get; set; }

    /// <summary>Set when the wallet refused the fill for good and it was undone (see <see cref="Order.RefuseFill"/>).</summary>
    [Id(4)] public string? RefusedReason { get; set; }

    public OrderFill Clone() => (OrderFill)MemberwiseClone();
}

/// <summary>The applied (or replayed) fill; <see cref="Event"/> is set only when the fill is new.</summary>
public sealed record FillResult(OrderFill Fill, bool IsNew, OrderEvent? Event);
