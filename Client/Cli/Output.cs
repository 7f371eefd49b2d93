using OrleansWallet.Client;

namespace OrleansWallet.Cli;

internal static class Output
{
    public static void Balances(string userId, IReadOnlyList<Balance> balances)
    {
        Console.WriteLine($"balances of {userId}:");
        if (balances.Count == 0) Console.WriteLine("  (none)");
        foreach (var b in balances) Console.WriteLine($"  {b.Asset,-6} available {b.Available,30}  held {b.Held,30}");
    }

    public static void Operation(OperationOutcome outcome) =>
        Console.WriteLine($"{outcome.OperationId}{(outcome.Replayed ? " (replayed)" : "")}: {outcome.Balance.Asset} " +
                          $"available {outcome.Balance.Available} held {outcome.Balance.Held}");

    public static void Order(OrderInfo o) =>
        Console.WriteLine($"order {o.OrderId} [{o.State}] user {o.UserId}: sell {o.SellAmount} {o.SellAsset} " +
                          $"for >= {o.MinBuyAmount} {o.BuyAsset}; sold {o.SoldAmount}, bought {o.BoughtAmount}" +
                          (o.RejectReason is null ? "" : $"; rejected: {o.RejectReason}"));
}
