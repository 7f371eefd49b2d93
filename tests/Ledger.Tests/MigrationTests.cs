using System.Numerics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using OrleansWallet.Ledger.Hosting;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Ledger.Reference;
using OrleansWallet.Ledger.Schema;

namespace OrleansWallet.Ledger.Tests;

[Collection(PostgresCollection.Name)]
public class MigrationTests(PostgresFixture postgres)
{
    private static readonly string[] Scripts =
    [
        "OrleansWallet.Ledger.Schema.Scripts.0001_reference_data.sql",
        "OrleansWallet.Ledger.Schema.Scripts.0002_ledger_journal.sql",
        "OrleansWallet.Ledger.Schema.Scripts.0003_withdrawals.sql",
        "OrleansWallet.Ledger.Schema.Scripts.0004_transfer_transit.sql",
    ];

    [Fact]
    public async Task Host_start_migrates_an_empty_database_and_a_second_run_applies_nothing()
    {
        var connectionString = await postgres.NewDatabaseAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLedger(p => p.ConnectionString = connectionString, c => c.RedisConfiguration = LedgerHost.NoRedis);
        using (var host = builder.Build())
        {
            await host.StartAsync();
            var migrator = host.Services.GetRequiredService<LedgerMigrator>();
            Assert.Equal(Scripts, migrator.GetAppliedMigrations());

            Assert.Empty(await migrator.MigrateAsync());
            Assert.Equal(Scripts, migrator.GetAppliedMigrations());
            await host.StopAsync();
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM schemaversions", connection);
        Assert.Equal((long)Scripts.Length, await count.ExecuteScalarAsync());
        await using var tables = new NpgsqlCommand(
            "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'", connection);
        Assert.Equal("assets,ledger_entries,schemaversions,tier_limits,user_limit_overrides,users,withdrawal_allowlist,withdrawals",
            await tables.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Amounts_up_to_2_pow_256_minus_1_round_trip_exactly()
    {
        await using var ledger = await LedgerHost.StartAsync(await postgres.NewDatabaseAsync());
        var max = BigInteger.Pow(2, 256) - 1;
        var at = DateTimeOffset.UnixEpoch;

        await ledger.Journal.AppendAsync(LedgerMovements.Deposit("dep:whale:1", "whale", "ETH", max, at));
        await ledger.Reference.UpsertAssetAsync(new("ETH", "ethereum", 18, null, true));
        await ledger.Reference.UpsertUserAsync(new("whale", 3));
        await ledger.Reference.SetTierLimitAsync(3, "ETH", max);
        Assert.Equal(max, await ledger.Reference.GetDailyWithdrawalLimitAsync(new("whale", 3), "ETH"));

        var balances = await ledger.Journal.GetBalancesFromLedgerAsync("whale");
        Assert.Equal(max, balances.Single(b => b.Bucket == LedgerBucket.Available).Amount);
        Assert.Equal(-max, balances.Single(b => b.Bucket == LedgerBucket.External).Amount);
        var history = await ledger.Journal.GetHistoryAsync("whale", "ETH", 10, null);
        Assert.Contains(history.Entries, e => e.Amount == -max);
    }
}
