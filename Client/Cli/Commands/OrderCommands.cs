using System.CommandLine;

namespace OrleansWallet.Cli.Commands;

/// <summary>order place | fill | cancel | get | list.</summary>
internal static class OrderCommands
{
    public static Command Create()
    {
        var order = new Command("order", "place, fill, cancel, get and list orders");
        var orderId = CliOptions.Required("--order-id", "order id (idempotency key of the order)");
        var user = CliOptions.Required("--user", "user id");

        var sell = CliOptions.Required("--sell", "asset to sell");
        var sellAmount = CliOptions.Amount("--sell-amount", "amount to sell");
        var buy = CliOptions.Required("--buy", "asset to buy");
        var minBuy = CliOptions.Amount("--min-buy", "least amount of the bought asset for all of --sell-amount (the limit)");
        var place = new Command("place", "place an order (holds the sold amount)") { orderId, user, sell, sellAmount, buy, minBuy };
        place.SetAction((r, ct) => Run.WithChannel(r, async c => Output.Order(await c.Orders.PlaceAsync(
            r.GetValue(orderId)!, r.GetValue(user)!, r.GetValue(sell)!, r.GetValue(sellAmount), r.GetValue(buy)!, r.GetValue(minBuy), ct))));
        order.Subcommands.Add(place);

        var fillId = CliOptions.Required("--fill-id", "fill id (idempotency key of the fill)");
        var sold = CliOptions.Amount("--sold", "amount of the sell asset this fill sold");
        var bought = CliOptions.Amount("--bought", "amount of the buy asset this fill bought");
        var fill = new Command("fill", "report a fill (settles held funds)") { orderId, fillId, sold, bought };
        fill.SetAction((r, ct) => Run.WithChannel(r, async c => Output.Order(await c.Orders.FillAsync(
            r.GetValue(orderId)!, r.GetValue(fillId)!, r.GetValue(sold), r.GetValue(bought), ct))));
        order.Subcommands.Add(fill);

        var cancel = new Command("cancel", "cancel an order (releases what it still holds)") { orderId };
        cancel.SetAction((r, ct) => Run.WithChannel(r, async c => Output.Order(await c.Orders.CancelAsync(r.GetValue(orderId)!, ct))));
        order.Subcommands.Add(cancel);

        var get = new Command("get", "print an order") { orderId };
        get.SetAction((r, ct) => Run.WithChannel(r, async c => Output.Order(await c.Orders.GetAsync(r.GetValue(orderId)!, ct))));
        order.Subcommands.Add(get);

        var list = new Command("list", "list a user's orders") { user };
        list.SetAction((r, ct) => Run.WithChannel(r, async c =>
        {
            string? token = null;
            do
            {
                var page = await c.Orders.ListAsync(r.GetValue(user)!, 100, token, ct);
                foreach (var o in page.Orders) Output.Order(o);
                token = page.NextPageToken;
            } while (token is not null);
        }));
        order.Subcommands.Add(list);

        var watch = new Command("watch", "print a user's order events as they happen (Ctrl-C to stop)") { user };
        watch.SetAction((r, ct) => Run.WithChannel(r, async c =>
        {
            try
            {
                using var watch = await c.Orders.WatchEventsAsync(r.GetValue(user)!, ct);
                Console.Error.WriteLine("watching; Ctrl-C to stop");
                await foreach (var e in watch.ReadAllAsync(ct))
                    Console.WriteLine($"{e.Timestamp:O} {e.EventId} {e.Type} [{e.Order.State}] sold {e.Order.SoldAmount} bought {e.Order.BoughtAmount}" +
                                      (e.FillId is null ? "" : $" (fill {e.FillId}: {e.FillSoldAmount} for {e.FillBoughtAmount})"));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C: the watch ends.
            }
        }));
        order.Subcommands.Add(watch);
        return order;
    }
}
