using System.Text;
using Grpc.Core;
using Npgsql;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests.Security;

/// <summary>
/// Everything a call could have changed for a set of users, as text: balances, orders, ledger
/// backlog (read from the grains at once), journal entries, withdrawals and reference data (read
/// from Postgres), and a tier's limits. Two equal snapshots mean nothing changed.
/// </summary>
internal static class WalletSnapshot
{
    public static async Task<string> TakeAsync(SecurityFixture fixture, IEnumerable<string> userIds, IEnumerable<string> orderIds, int tier)
    {
        var users = userIds.ToArray();
        var text = new StringBuilder();
        var channel = fixture.Admin;
        foreach (var user in users)
        {
            text.Append("balances ").Append(user).Append(':');
            foreach (var b in await channel.Wallets.GetBalancesAsync(user)) text.Append($" {b.Asset}={b.Available}/{b.Held}");
            var status = await channel.Ledger.GetStatusAsync(user);
            text.AppendLine($" outbox={status.OutboxEntries} pending-withdrawals={status.PendingWithdrawalUpdates} pending-transfers={status.PendingTransfers}");
            var orders = await channel.Orders.ListAsync(user, 500);
            text.AppendLine($"orders {user}: {string.Join(",", orders.Orders.Select(o => $"{o.OrderId}:{o.State}:{o.SoldAmount}:{o.BoughtAmount}"))}");
        }
        foreach (var orderId in orderIds)
        {
            try
            {
                var o = await channel.Orders.GetAsync(orderId);
                text.AppendLine($"order {orderId}: {o.State} {o.SoldAmount} {o.BoughtAmount}");
            }
            catch (NotFoundException)
            {
                text.AppendLine($"order {orderId}: none");
            }
        }
        await using var db = await fixture.OpenLedgerDatabaseAsync();
        await AppendRowsAsync(db, text, "select user_id, kyc_tier from users where user_id = any(@users) order by 1", users, tier);
        await AppendRowsAsync(db, text, "select user_id, chain, address from withdrawal_allowlist where user_id = any(@users) order by 1, 2, 3", users, tier);
        await AppendRowsAsync(db, text, "select withdrawal_id, status, amount from withdrawals where user_id = any(@users) order by 1", users, tier);
        await AppendRowsAsync(db, text, "select entry_id, amount from ledger_entries where user_id = any(@users) order by 1", users, tier);
        await AppendRowsAsync(db, text, "select asset, daily_withdrawal_limit from tier_limits where kyc_tier = @tier order by 1", users, tier);
        return text.ToString();
    }

    private static async Task AppendRowsAsync(NpgsqlConnection db, StringBuilder text, string sql, string[] users, int tier)
    {
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("users", users);
        command.Parameters.AddWithValue("tier", tier);
        await using var reader = await command.ExecuteReaderAsync();
        text.Append(sql[..sql.IndexOf(" from", StringComparison.Ordinal)]).AppendLine(":");
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++) text.Append(i == 0 ? "  " : " | ").Append(reader.GetValue(i));
            text.AppendLine();
        }
    }
}

/// <summary>What a raw call answered: its status and the reason trailer.</summary>
internal readonly record struct CallOutcome(StatusCode Status, string? Reason, string Detail)
{
    public static readonly CallOutcome Ok = new(StatusCode.OK, null, "");

    public static async Task<CallOutcome> Of(Func<Task> call)
    {
        try
        {
            await call();
            return Ok;
        }
        catch (RpcException e)
        {
            return new CallOutcome(e.StatusCode, e.Trailers.GetValue("error-reason"), e.Status.Detail);
        }
    }

    public override string ToString() => Status == StatusCode.OK ? "OK" : $"{Status}/{Reason}: {Detail}";
}
