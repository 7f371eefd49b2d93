using System.CommandLine;
using System.Numerics;
using OrleansWallet.Client;

namespace OrleansWallet.Cli.Commands;

/// <summary>
/// Walks two fresh users through every operation and checks the balances it ends with, so
/// `demo` against a running cluster says at once whether the system works.
/// </summary>
internal static class DemoCommand
{
    private static readonly BigInteger Ether = BigInteger.Pow(10, 18);
    private static readonly BigInteger Usdc = BigInteger.Pow(10, 6);

    /// <summary>The demo's users' KYC tier; its ETH limit (10 ETH a day) covers the demo's 0.5 ETH withdrawal.</summary>
    private const int DemoKycTier = 1;

    private const string WithdrawalAddress = "0x52908400098527886E0F7030069857D2E4169EE7";

    public static Command Create()
    {
        var demo = new Command("demo", "exercise every operation on two new users and print their balances");
        demo.SetAction((r, ct) => Run.WithChannel(r, async channel =>
        {
            if (!await RunAsync(channel, ct)) throw new DemoFailedException();
        }));
        return demo;
    }

    private static async Task<bool> RunAsync(WalletChannel channel, CancellationToken ct)
    {
        var run = DateTime.UtcNow.ToString("yyyyMMddHHmmssfff");
        var alice = $"alice-{run}";
        var bob = $"bob-{run}";
        var wallets = channel.Wallets;
        var orders = channel.Orders;

        Step($"register {alice} and {bob} (KYC tier {DemoKycTier}, 10 ETH a day) and allow-list {alice}'s withdrawal address");
        await channel.Ledger.SetTierLimitAsync(DemoKycTier, "ETH", 10 * Ether, ct);
        await channel.Ledger.UpsertUserAsync(alice, DemoKycTier, ct);
        await channel.Ledger.UpsertUserAsync(bob, DemoKycTier, ct);
        await channel.Ledger.AddToAllowlistAsync(alice, "ethereum", WithdrawalAddress, ct);

        Step($"deposit 5 ETH to {alice}, 1000 USDC to {bob}");
        await wallets.CreditDepositAsync(alice, "ETH", 5 * Ether, $"0xdemo{run}:0", ct);
        await wallets.CreditDepositAsync(bob, "USDC", 1000 * Usdc, $"0xdemo{run}:1", ct);
        var replay = await wallets.CreditDepositAsync(alice, "ETH", 5 * Ether, $"0xdemo{run}:0", ct);
        Console.WriteLine($"  the same deposit again is a replay: {replay.Replayed}");

        Step($"transfer 1 ETH from {alice} to {bob}");
        await wallets.TransferAsync(alice, bob, "ETH", Ether, $"demo-{run}-t1", ct);

        Step($"withdraw 0.5 ETH from {alice}, then complete it");
        await wallets.RequestWithdrawalAsync(alice, $"demo-{run}-w1", "ETH", Ether / 2, WithdrawalAddress, ct);
        await wallets.CompleteWithdrawalAsync(alice, $"demo-{run}-w1", ct);

        Step($"{alice} sells 2 ETH for at least 6000 USDC; 1 ETH fills for 3100 USDC; the rest is cancelled");
        var orderId = $"demo-{run}-o1";
        Output.Order(await orders.PlaceAsync(orderId, alice, "ETH", 2 * Ether, "USDC", 6000 * Usdc, ct));
        Output.Order(await orders.FillAsync(orderId, "f1", Ether, 3100 * Usdc, ct));
        Output.Order(await orders.CancelAsync(orderId, ct));

        Step("insufficient funds is refused and changes nothing");
        try
        {
            await wallets.TransferAsync(bob, alice, "BTC", 1, $"demo-{run}-t2", ct);
            Console.WriteLine("  NOT refused");
            return false;
        }
        catch (InsufficientFundsException ex)
        {
            Console.WriteLine($"  refused: {ex.Reason}");
        }

        Step("a withdrawal to an address not on the allow-list is refused and changes nothing");
        try
        {
            await wallets.RequestWithdrawalAsync(alice, $"demo-{run}-w2", "ETH", 1, "0x0000000000000000000000000000000000000001", ct);
            Console.WriteLine("  NOT refused");
            return false;
        }
        catch (PreconditionFailedException ex)
        {
            Console.WriteLine($"  refused: {ex.Reason}");
        }

        Step("final balances");
        var aliceBalances = await wallets.GetBalancesAsync(alice, ct);
        var bobBalances = await wallets.GetBalancesAsync(bob, ct);
        Output.Balances(alice, aliceBalances);
        Output.Balances(bob, bobBalances);

        var ok = Expect(aliceBalances, "ETH", Ether * 5 / 2, 0)
                 & Expect(aliceBalances, "USDC", 3100 * Usdc, 0)
                 & Expect(bobBalances, "ETH", Ether, 0)
                 & Expect(bobBalances, "USDC", 1000 * Usdc, 0);
        Console.WriteLine(ok ? "demo OK: every balance is as expected" : "demo FAILED: balances differ from the expected");
        return ok;
    }

    private static void Step(string text) => Console.WriteLine($"\n== {text}");

    private static bool Expect(IReadOnlyList<Balance> balances, string asset, BigInteger available, BigInteger held)
    {
        var b = balances.FirstOrDefault(x => x.Asset == asset);
        var ok = b is not null && b.Available == available && b.Held == held;
        if (!ok) Console.WriteLine($"  expected {asset} available {available} held {held}, got {b?.Available} / {b?.Held}");
        return ok;
    }

    private sealed class DemoFailedException() : WalletApiException(Grpc.Core.StatusCode.Internal, "demo_failed",
        "the demo's balances differ from the expected", new Grpc.Core.RpcException(Grpc.Core.Status.DefaultCancelled));
}
