using System.Diagnostics;
using System.Numerics;
using System.Reflection;
using Npgsql;
using OrleansWallet.Client;
using Xunit.Abstractions;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// Reconcile proven both ways (issue #8): with no drift it reports none (the other reconcile tests
/// and the bank test); here drift is made on purpose — one journal entry removed from Postgres,
/// one balance changed in Redis storage — and reconcile must report exactly those two
/// differences, through the SDK and through the CLI, which exits 3.
/// </summary>
public sealed class ReconcileDriftTests(ITestOutputHelper output)
{
    /// <summary>Exit code of <c>orleans-wallet reconcile</c> on drift (README, Client/Cli/Commands/LedgerCommands.cs).</summary>
    private const int CliDriftExitCode = 3;

    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Reconcile_reports_exactly_a_deleted_journal_entry_and_a_balance_changed_in_storage_and_the_cli_exits_3()
    {
        await using var cluster = await WalletCluster.StartAsync(silos: 1);
        var channel = cluster.Channel(0);
        var payer = Ids.User("payer");
        var payee = Ids.User("payee");
        var trader = Ids.User("trader");
        var transferKey = Ids.Key("drift-t");
        await channel.Wallets.CreditDepositAsync(payer, "ETH", 10_000, "0xdrift:" + payer);
        await channel.Wallets.CreditDepositAsync(payee, "USDC", 3_000, "0xdrift:" + payee);
        await channel.Wallets.CreditDepositAsync(trader, "BTC", 50_000, "0xdrift:" + trader);
        await channel.Wallets.TransferAsync(payer, payee, "ETH", 1_500, transferKey);
        var orderId = Ids.Key("drift-o");
        await channel.Orders.PlaceAsync(orderId, trader, "BTC", 20_000, "USDC", 40_000);
        await channel.Orders.FillAsync(orderId, "f1", 5_000, 12_000);
        await Journaled.WaitAsync(channel, payer, payee, trader);
        // A wallet keeps journaled entries in its state until its next write drops them (and re-sends
        // what it still holds when it re-activates): one more change of the payee's, so the leg
        // deleted below is gone from everywhere but the wallet's balances.
        await channel.Wallets.CreditDepositAsync(payee, "USDC", 1, "0xdrift2:" + payee);
        await Journaled.WaitAsync(channel, payee);
        var clean = await channel.Ledger.ReconcileAsync();
        Assert.False(clean.HasDrift, "drift before any tampering:\n" + string.Join("\n", clean.Differences));

        // (a) The journal loses the payee's leg of the transfer (the payee journals its credit as its
        // own operation): that operation no longer balances, and the payee's ETH available in the
        // journal is 1,500 short of the wallet's.
        var removedEntry = $"{payee}/transfer-in/{payer}/{transferKey}#1";
        Assert.Equal(1, await DeleteJournalEntryAsync(cluster.LedgerConnectionString, removedEntry));

        // (b) The trader's BTC available in Redis storage is raised by 777 (30,000 after the
        // 20,000 hold); the silo must reload the wallet to see it, so it is stopped meanwhile.
        var silo = cluster.Silos[0];
        await silo.StopAsync();
        await WalletStorageTamper.SetAvailableAsync(cluster.Redis.Endpoint, silo.Environment["Silo__ServiceId"]!, trader, "BTC", 30_777);
        await cluster.RestartSiloAsync(0);
        var restarted = cluster.Channel(0);
        Assert.Contains(new Balance("BTC", 30_777, 15_000), await restarted.Wallets.GetBalancesAsync(trader));

        LedgerDifference[] expected =
        [
            new(payee, "ETH", "available", WalletAmount: 1_500, LedgerAmount: 0),
            new(trader, "BTC", "available", WalletAmount: 30_777, LedgerAmount: 30_000),
        ];
        var report = await restarted.Ledger.ReconcileAsync();
        output.WriteLine($"SDK: {report.WalletsChecked} wallets checked; differences:\n  {string.Join("\n  ", report.Differences)}");
        Assert.Equal(Sorted(expected), Sorted(report.Differences));
        Assert.Equal(3, report.WalletsChecked);

        var (exitCode, stdout, stderr) = await RunCliAsync("--endpoint", cluster.Silos[0].GrpcAddress,
            "--token", cluster.Credentials.OperatorToken(), "reconcile");
        output.WriteLine($"CLI exit code {exitCode}:\n{stdout}{stderr}");
        Assert.Equal(CliDriftExitCode, exitCode);
        var driftLines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("DRIFT ", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            expected.Select(d => $"DRIFT {d.UserId} {d.Asset} {d.Bucket}: wallet {d.WalletAmount}, ledger {d.LedgerAmount}").Order(StringComparer.Ordinal),
            driftLines);
    }

    private static List<LedgerDifference> Sorted(IEnumerable<LedgerDifference> differences) =>
        differences.OrderBy(d => d.UserId, StringComparer.Ordinal).ThenBy(d => d.Asset, StringComparer.Ordinal)
            .ThenBy(d => d.Bucket, StringComparer.Ordinal).ToList();

    /// <summary>
    /// As the superuser, with the append-only trigger off for this one statement (in one
    /// transaction, so the journal is never left unprotected).
    /// </summary>
    private static async Task<int> DeleteJournalEntryAsync(string connectionString, string entryId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var disable = new NpgsqlCommand("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only", connection, transaction))
            await disable.ExecuteNonQueryAsync();
        int deleted;
        await using (var delete = new NpgsqlCommand("DELETE FROM ledger_entries WHERE entry_id = @id", connection, transaction))
        {
            delete.Parameters.AddWithValue("id", entryId);
            deleted = await delete.ExecuteNonQueryAsync();
        }
        await using (var enable = new NpgsqlCommand("ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only", connection, transaction))
            await enable.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return deleted;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunCliAsync(params string[] arguments)
    {
        var cli = typeof(ReconcileDriftTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "CliAssembly").Value!;
        if (!File.Exists(cli)) throw new FileNotFoundException($"build the solution first: {cli} is missing");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.GetFullPath(cli));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the CLI");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CliTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // our own child, by pid
            throw new TimeoutException($"the CLI did not finish within {CliTimeout}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
