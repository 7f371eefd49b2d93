using System.CommandLine;

namespace OrleansWallet.Cli.Commands;

/// <summary>balances, assets, deposit, withdraw, withdraw-complete, withdraw-fail, transfer.</summary>
internal static class WalletCommands
{
    public static IEnumerable<Command> All()
    {
        var user = CliOptions.Required("--user", "user id");
        var asset = CliOptions.Required("--asset", "asset symbol, e.g. ETH");

        var balances = new Command("balances", "print a user's balances") { user };
        balances.SetAction((r, ct) => Run.WithChannel(r, async c =>
            Output.Balances(r.GetValue(user)!, await c.Wallets.GetBalancesAsync(r.GetValue(user)!, ct))));
        yield return balances;

        var assets = new Command("assets", "list the assets the service keeps");
        assets.SetAction((r, ct) => Run.WithChannel(r, async c =>
        {
            foreach (var a in await c.Wallets.ListAssetsAsync(ct)) Console.WriteLine($"{a.Symbol,-6} {a.Chain,-10} decimals {a.Decimals}");
        }));
        yield return assets;

        var depositAmount = CliOptions.Amount("--amount", "amount to credit");
        var txId = CliOptions.Required("--tx-id", "chain transaction id (idempotency key), e.g. 0xabc:0");
        var deposit = new Command("deposit", "credit an on-chain deposit") { user, asset, depositAmount, txId };
        deposit.SetAction((r, ct) => Run.WithChannel(r, async c => Output.Operation(
            await c.Wallets.CreditDepositAsync(r.GetValue(user)!, r.GetValue(asset)!, r.GetValue(depositAmount), r.GetValue(txId)!, ct))));
        yield return deposit;

        var withdrawalId = CliOptions.Required("--withdrawal-id", "withdrawal id (idempotency key)");
        var withdrawAmount = CliOptions.Amount("--amount", "amount to withdraw");
        var address = CliOptions.Required("--address", "destination address");
        var withdraw = new Command("withdraw", "request a withdrawal (holds the funds)") { user, asset, withdrawAmount, withdrawalId, address };
        withdraw.SetAction((r, ct) => Run.WithChannel(r, async c => Output.Operation(
            await c.Wallets.RequestWithdrawalAsync(r.GetValue(user)!, r.GetValue(withdrawalId)!, r.GetValue(asset)!,
                r.GetValue(withdrawAmount), r.GetValue(address)!, ct))));
        yield return withdraw;

        var complete = new Command("withdraw-complete", "mark a withdrawal sent (its held funds leave)") { user, withdrawalId };
        complete.SetAction((r, ct) => Run.WithChannel(r, async c => Output.Operation(
            await c.Wallets.CompleteWithdrawalAsync(r.GetValue(user)!, r.GetValue(withdrawalId)!, ct))));
        yield return complete;

        var fail = new Command("withdraw-fail", "mark a withdrawal failed (its held funds return)") { user, withdrawalId };
        fail.SetAction((r, ct) => Run.WithChannel(r, async c => Output.Operation(
            await c.Wallets.FailWithdrawalAsync(r.GetValue(user)!, r.GetValue(withdrawalId)!, ct))));
        yield return fail;

        var to = CliOptions.Required("--to", "payee user id");
        var key = CliOptions.Required("--key", "idempotency key");
        var transferAmount = CliOptions.Amount("--amount", "amount to transfer");
        var transfer = new Command("transfer", "move funds to another user") { user, to, asset, transferAmount, key };
        transfer.SetAction((r, ct) => Run.WithChannel(r, async c => Output.Operation(
            await c.Wallets.TransferAsync(r.GetValue(user)!, r.GetValue(to)!, r.GetValue(asset)!, r.GetValue(transferAmount), r.GetValue(key)!, ct))));
        yield return transfer;
    }
}
