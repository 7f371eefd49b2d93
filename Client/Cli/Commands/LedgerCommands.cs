using System.CommandLine;
using OrleansWallet.Client;

namespace OrleansWallet.Cli.Commands;

/// <summary>history, reconcile, and admin user|limit|allow (the reference data withdrawals are checked against).</summary>
internal static class LedgerCommands
{
    /// <summary>Exit code of <c>reconcile</c> when it finds drift (1: refused, 2: bad endpoint).</summary>
    private const int DriftExitCode = 3;

    public static IEnumerable<Command> All()
    {
        yield return History();
        yield return Reconcile();
        yield return Admin();
    }

    private static Command History()
    {
        var user = CliOptions.Required("--user", "user id");
        var asset = new Option<string?>("--asset") { Description = "only this asset" };
        var pageSize = new Option<int>("--page-size") { Description = "entries per page (1..500)", DefaultValueFactory = _ => 50 };
        var pageToken = new Option<string?>("--page-token") { Description = "continue from an earlier page" };
        var history = new Command("history", "print a user's ledger entries, newest first") { user, asset, pageSize, pageToken };
        history.SetAction((r, ct) => Run.WithChannel(r, async c =>
        {
            var page = await c.Ledger.GetHistoryAsync(r.GetValue(user)!, r.GetValue(asset), r.GetValue(pageSize), r.GetValue(pageToken), ct);
            if (page.Entries.Count == 0) Console.WriteLine("(no entries)");
            foreach (var e in page.Entries)
                Console.WriteLine($"{e.CreatedAt:u}  {e.Kind,-20} {e.Asset,-6} {e.Bucket,-9} {e.Amount,32}  {e.EntryId}");
            if (page.NextPageToken is not null) Console.WriteLine($"more: --page-token {page.NextPageToken}");
        }));
        return history;
    }

    private static Command Reconcile()
    {
        var reconcile = new Command("reconcile",
            $"compare every wallet's balances with the ledger; prints each difference, exit code {DriftExitCode} on drift or an uncheckable wallet");
        reconcile.SetAction(async (r, ct) =>
        {
            var drift = false;
            var exit = await Run.WithChannel(r, async c =>
            {
                var report = await c.Ledger.ReconcileAsync(ct);
                foreach (var d in report.Differences)
                    Console.WriteLine($"DRIFT {d.UserId} {d.Asset} {d.Bucket}: wallet {d.WalletAmount}, ledger {d.LedgerAmount}");
                foreach (var u in report.Unchecked)
                    Console.WriteLine($"UNCHECKED {u.UserId}: {u.Reason}");
                Console.WriteLine($"{report.WalletsChecked} wallets checked, {report.Differences.Count} differences, " +
                                  $"{report.Unchecked.Count} not checkable; " +
                                  $"{report.OutboxEntries} entries still in outboxes, {report.PendingTransfers} transfers in flight");
                drift = report.HasDrift;
            });
            return exit != 0 ? exit : drift ? DriftExitCode : 0;
        });
        return reconcile;
    }

    private static Command Admin()
    {
        var admin = new Command("admin", "reference data: users' KYC tiers, tier limits, withdrawal allow-lists");

        var user = CliOptions.Required("--user", "user id");
        var tier = new Option<int>("--tier") { Description = "KYC tier (0..9)", Required = true };
        var upsertUser = new Command("user", "register a user or change their KYC tier") { user, tier };
        upsertUser.SetAction((r, ct) => Run.WithChannel(r, async c =>
        {
            await c.Ledger.UpsertUserAsync(r.GetValue(user)!, r.GetValue(tier), ct);
            Console.WriteLine($"user {r.GetValue(user)} is KYC tier {r.GetValue(tier)}");
        }));
        admin.Subcommands.Add(upsertUser);

        var asset = CliOptions.Required("--asset", "asset symbol, e.g. ETH");
        var dailyLimit = CliOptions.Amount("--daily-limit", "withdrawals allowed per UTC day");
        var limit = new Command("limit", "set a tier's daily withdrawal limit for an asset") { tier, asset, dailyLimit };
        limit.SetAction((r, ct) => Run.WithChannel(r, async c =>
        {
            await c.Ledger.SetTierLimitAsync(r.GetValue(tier), r.GetValue(asset)!, r.GetValue(dailyLimit), ct);
            Console.WriteLine($"tier {r.GetValue(tier)} may withdraw {r.GetValue(dailyLimit)} {r.GetValue(asset)} per day");
        }));
        admin.Subcommands.Add(limit);

        var chain = CliOptions.Required("--chain", "chain of the address, e.g. ethereum, bitcoin");
        var address = CliOptions.Required("--address", "destination address");
        var allow = new Command("allow", "add a withdrawal address to a user's allow-list") { user, chain, address };
        allow.SetAction((r, ct) => Run.WithChannel(r, async c =>
        {
            await c.Ledger.AddToAllowlistAsync(r.GetValue(user)!, r.GetValue(chain)!, r.GetValue(address)!, ct);
            Console.WriteLine($"{r.GetValue(user)} may withdraw to {r.GetValue(address)} on {r.GetValue(chain)}");
        }));
        admin.Subcommands.Add(allow);
        return admin;
    }
}
