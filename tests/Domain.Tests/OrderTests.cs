using OrleansWallet.Orders;
using static OrleansWallet.Domain.Tests.TestAssets;

namespace OrleansWallet.Domain.Tests;

public class OrderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    // Sell 10 ETH-units for at least 30 000 USDC-units: a limit of 3 000 per unit.
    private static Order PlacedOrder()
    {
        var order = Order.Place("o1", new PlaceOrder("alice", "ETH", A(10), "USDC", A(30_000)), Catalog, Now);
        order.MarkFundsHeld(Now);
        return order;
    }

    [Fact]
    public void Place_starts_pending_and_becomes_placed_once_funds_are_held()
    {
        var order = Order.Place("o1", new PlaceOrder("alice", "ETH", A(10), "USDC", A(30_000)), Catalog, Now);
        Assert.Equal(OrderStatus.Pending, order.Status);
        order.MarkFundsHeld(Now);
        Assert.Equal(OrderStatus.Placed, order.Status);
    }

    [Theory]
    [InlineData("ETH", 10, "ETH", 1, ErrorCodes.SameAssetOrder)]
    [InlineData("ETH", 0, "USDC", 1, ErrorCodes.AmountZero)]
    [InlineData("ETH", 1, "USDC", 0, ErrorCodes.AmountZero)]
    [InlineData("XRP", 1, "USDC", 1, ErrorCodes.AssetUnknown)]
    public void Bad_orders_are_refused(string sell, long sellAmount, string buy, long minBuy, string code)
    {
        var ex = Assert.Throws<WalletException>(() =>
            Order.Place("o1", new PlaceOrder("alice", sell, A(sellAmount), buy, A(minBuy)), Catalog, Now));
        Assert.Equal(code, ex.Code);
    }

    [Fact]
    public void Fills_move_through_partially_filled_to_filled()
    {
        var order = PlacedOrder();
        order.ApplyFill(new FillOrder("f1", A(4), A(12_000)), Now);
        Assert.Equal(OrderStatus.PartiallyFilled, order.Status);
        Assert.Equal(A(6), order.Remaining);

        order.ApplyFill(new FillOrder("f2", A(6), A(18_600)), Now);
        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(A(30_600), order.Bought);
    }

    [Fact]
    public void A_fill_below_the_limit_is_refused_by_exact_integer_arithmetic()
    {
        var order = PlacedOrder();
        // 3 units for 8 999: 8 999 × 10 = 89 990 < 30 000 × 3 = 90 000.
        var ex = Assert.Throws<WalletException>(() => order.ApplyFill(new FillOrder("f1", A(3), A(8_999)), Now));
        Assert.Equal(ErrorCodes.FillBelowLimit, ex.Code);
        // Exactly at the limit is accepted.
        order.ApplyFill(new FillOrder("f1", A(3), A(9_000)), Now);
        Assert.Equal(A(3), order.Sold);
    }

    [Fact]
    public void Overfill_is_refused_and_changes_nothing()
    {
        var order = PlacedOrder();
        order.ApplyFill(new FillOrder("f1", A(8), A(24_000)), Now);
        var ex = Assert.Throws<WalletException>(() => order.ApplyFill(new FillOrder("f2", A(3), A(9_000)), Now));
        Assert.Equal(ErrorCodes.OrderOverfill, ex.Code);
        Assert.Equal(A(8), order.Sold);
        Assert.Single(order.Fills);
    }

    [Fact]
    public void A_replayed_fill_is_recognised_and_a_conflicting_one_refused()
    {
        var order = PlacedOrder();
        Assert.True(order.ApplyFill(new FillOrder("f1", A(4), A(12_000)), Now).IsNew);
        Assert.False(order.ApplyFill(new FillOrder("f1", A(4), A(12_000)), Now).IsNew);
        var ex = Assert.Throws<WalletException>(() => order.ApplyFill(new FillOrder("f1", A(5), A(15_000)), Now));
        Assert.Equal(ErrorCodes.IdempotencyConflict, ex.Code);
        Assert.Equal(A(4), order.Sold);
    }

    [Fact]
    public void Final_orders_refuse_fills_and_cancels()
    {
        var filled = PlacedOrder();
        filled.ApplyFill(new FillOrder("f1", A(10), A(30_000)), Now);
        Assert.Equal(ErrorCodes.OrderIllegalTransition,
            Assert.Throws<WalletException>(() => filled.ApplyFill(new FillOrder("f2", A(1), A(3_000)), Now)).Code);
        Assert.Equal(ErrorCodes.OrderIllegalTransition, Assert.Throws<WalletException>(() => filled.Cancel(Now)).Code);

        var cancelled = PlacedOrder();
        Assert.NotNull(cancelled.Cancel(Now));
        Assert.Null(cancelled.Cancel(Now));
        Assert.Equal(ErrorCodes.OrderIllegalTransition,
            Assert.Throws<WalletException>(() => cancelled.ApplyFill(new FillOrder("f1", A(1), A(3_000)), Now)).Code);
    }

    [Fact]
    public void A_rejected_order_stays_rejected()
    {
        var order = Order.Place("o1", new PlaceOrder("alice", "ETH", A(10), "USDC", A(30_000)), Catalog, Now);
        order.Reject(ErrorCodes.InsufficientFunds, Now);
        Assert.Equal(OrderStatus.Rejected, order.Status);
        Assert.Equal(ErrorCodes.InsufficientFunds, order.RejectReason);
        Assert.Throws<WalletException>(() => order.MarkFundsHeld(Now));
        Assert.Throws<WalletException>(() => order.Cancel(Now));
    }

    [Fact]
    public void Placing_again_with_other_terms_is_a_conflict()
    {
        var order = PlacedOrder();
        order.RequireSamePlacement(new PlaceOrder("alice", "ETH", A(10), "USDC", A(30_000)));
        var ex = Assert.Throws<WalletException>(() => order.RequireSamePlacement(new PlaceOrder("alice", "ETH", A(11), "USDC", A(30_000))));
        Assert.Equal(ErrorCodes.IdempotencyConflict, ex.Code);
    }

    [Fact]
    public void Each_transition_emits_one_event_with_the_next_sequence()
    {
        var order = Order.Place("o1", new PlaceOrder("alice", "ETH", A(10), "USDC", A(30_000)), Catalog, Now);
        var placed = order.MarkFundsHeld(Now);
        var partial = order.ApplyFill(new FillOrder("f1", A(4), A(12_000)), Now).Event!;
        var replay = order.ApplyFill(new FillOrder("f1", A(4), A(12_000)), Now).Event;
        var cancelled = order.Cancel(Now)!;

        Assert.Null(replay);
        Assert.Equal([1L, 2L, 3L], new[] { placed, partial, cancelled }.Select(e => e.Sequence));
        Assert.Equal(["o1:1", "o1:2", "o1:3"], new[] { placed, partial, cancelled }.Select(e => e.EventId));
        Assert.Equal([OrderEventTypes.Placed, OrderEventTypes.PartiallyFilled, OrderEventTypes.Cancelled],
            new[] { placed, partial, cancelled }.Select(e => e.Type));
        Assert.Equal("alice", partial.UserId);
        Assert.Equal(("f1", "4", "12000"), (partial.Payload.FillId, partial.Payload.FillSoldAmount, partial.Payload.FillBoughtAmount));
        Assert.Equal(("4", "12000", "Cancelled"), (cancelled.Payload.SoldAmount, cancelled.Payload.BoughtAmount, cancelled.Payload.Status));
    }

    [Fact]
    public void A_completing_fill_emits_filled_and_a_rejection_emits_rejected()
    {
        var order = PlacedOrder();
        Assert.Equal(OrderEventTypes.Filled, order.ApplyFill(new FillOrder("f1", A(10), A(30_000)), Now).Event!.Type);

        var rejected = Order.Place("o2", new PlaceOrder("alice", "ETH", A(10), "USDC", A(30_000)), Catalog, Now)
            .Reject(ErrorCodes.InsufficientFunds, Now);
        Assert.Equal((OrderEventTypes.Rejected, "insufficient_funds", 1L), (rejected.Type, rejected.Payload.RejectReason, rejected.Sequence));
    }

    [Fact]
    public void A_fill_whose_bought_total_would_pass_2_pow_256_is_refused_and_changes_nothing()
    {
        var order = PlacedOrder();
        order.ApplyFill(new FillOrder("f1", A(4), Money.Amount.From(Money.Amount.MaxValue - 1)), Now);
        var before = order.ToView();

        var ex = Assert.Throws<WalletException>(() => order.ApplyFill(new FillOrder("f2", A(1), A(30_000)), Now));
        Assert.Equal(ErrorCodes.BalanceOverflow, ex.Code);
        Assert.Equal(before, order.ToView());
        Assert.Single(order.Fills);
    }

    [Fact]
    public void A_fill_the_wallet_refused_is_undone_and_its_id_stays_refused()
    {
        var order = PlacedOrder();
        order.ApplyFill(new FillOrder("f1", A(4), A(12_000)), Now);
        order.MarkSettled("f1");
        order.ApplyFill(new FillOrder("f2", A(6), A(18_000)), Now);
        Assert.Equal(OrderStatus.Filled, order.Status);

        var refused = order.RefuseFill("f2", ErrorCodes.BalanceOverflow, Now);
        Assert.Equal(OrderEventTypes.FillRefused, refused.Type);
        Assert.Equal((OrderStatus.PartiallyFilled, A(4), A(12_000)), (order.Status, order.Sold, order.Bought));
        var again = Assert.Throws<WalletException>(() => order.ApplyFill(new FillOrder("f2", A(6), A(18_000)), Now));
        Assert.Equal(ErrorCodes.BalanceOverflow, again.Code);
        Assert.Throws<InvalidOperationException>(() => order.RefuseFill("f1", ErrorCodes.BalanceOverflow, Now));
    }

    [Fact]
    public void A_clone_is_independent_of_the_order_it_copies()
    {
        var order = PlacedOrder();
        order.ApplyFill(new FillOrder("f1", A(4), A(12_000)), Now);
        var copy = order.Clone();
        copy.MarkSettled("f1");
        copy.ApplyFill(new FillOrder("f2", A(1), A(3_000)), Now);

        Assert.False(order.Fills.Single().Settled);
        Assert.Equal((A(4), 1), (order.Sold, order.Fills.Count));
        Assert.Equal((A(5), 2), (copy.Sold, copy.Fills.Count));
    }
}
