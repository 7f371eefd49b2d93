using Xunit.Abstractions;
using System.Text.Json;
using Grpc.Health.V1;
using Grpc.Net.Client;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// A silo started while PostgreSQL is down: it becomes ready (degraded) and serves deposits,
/// transfers and orders; Postgres-dependent calls fail fast with ledger_unavailable; when Postgres
/// starts, the migration runs in the background and withdrawals work, without a silo restart.
/// </summary>
public sealed class PostgresDownAtStartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private WalletCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await WalletCluster.StartAsync(silos: 0);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_silo_started_without_postgres_serves_money_and_catches_up_when_postgres_returns()
    {
        await _cluster.Postgres.StopAsync();
        await _cluster.StartSilosAsync(1); // returns once /health/ready answers 200
        var silo = _cluster.Silos[0];
        var channel = _cluster.Channel(0);

        var ready = await ReadinessAsync(silo);
        Assert.Equal("Degraded", ready.GetProperty("status").GetString());
        Assert.Contains("postgres", ready.GetProperty("degraded").EnumerateArray().Select(e => e.GetString()));
        output.WriteLine(ready.GetProperty("checks").GetProperty("postgres").GetProperty("description").GetString());
        using (var grpc = GrpcChannel.ForAddress(silo.GrpcAddress))
        {
            var health = new Health.HealthClient(grpc);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving,
                (await health.CheckAsync(new HealthCheckRequest { Service = "orleanswallet.v1.WalletService" })).Status);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing,
                (await health.CheckAsync(new HealthCheckRequest { Service = "orleanswallet.ledger.v1.LedgerService" })).Status);
        }

        // Money operations need no Postgres.
        var alice = Ids.User("pgdown-a");
        var bob = Ids.User("pgdown-b");
        await channel.Wallets.CreditDepositAsync(alice, "ETH", 1_000, Ids.Key("tx"));
        await channel.Wallets.TransferAsync(alice, bob, "ETH", 300, Ids.Key("pay"));
        await channel.Orders.PlaceAsync(Ids.Key("order"), alice, "ETH", 100, "USDC", 1);

        // Postgres-dependent calls are refused as retryable, not as internal errors.
        var withdrawalId = Ids.Key("wd");
        var refused = await Assert.ThrowsAsync<ServiceUnavailableException>(() =>
            channel.Wallets.RequestWithdrawalAsync(alice, withdrawalId, "ETH", 50, WithdrawalSetup.EthereumAddress));
        Assert.Equal("ledger_unavailable", refused.Reason);
        var history = await Assert.ThrowsAsync<ServiceUnavailableException>(() => channel.Ledger.GetHistoryAsync(alice));
        Assert.Equal("ledger_unavailable", history.Reason);

        // Postgres comes back: the silo migrates, seeds and serves the ledger without a restart.
        await _cluster.Postgres.StartAsync();
        var healthy = await Eventually.ReturnsAsync(() => ReadinessAsync(silo),
            r => r.GetProperty("status").GetString() == "Healthy", TimeSpan.FromSeconds(90), "readiness Healthy after Postgres returned");
        output.WriteLine(healthy.GetProperty("checks").GetProperty("postgres").GetProperty("description").GetString());
        Assert.False(silo.HasExited);

        await WithdrawalSetup.AllowWithdrawalsAsync(channel, alice);
        var accepted = await channel.Wallets.RequestWithdrawalAsync(alice, withdrawalId, "ETH", 50, WithdrawalSetup.EthereumAddress);
        Assert.False(accepted.Replayed);
        var eth = (await channel.Wallets.GetBalancesAsync(alice)).Single(b => b.Asset == "ETH");
        Assert.Equal(1_000 - 300 - 100 - 50, (long)eth.Available);

        // What was done during the outage reaches the journal too.
        await Eventually.ReturnsAsync(() => channel.Ledger.GetHistoryAsync(alice), page => page.Entries.Count >= 2,
            TimeSpan.FromSeconds(60), "alice's outage-time movements in the journal");

        // One warning about the outage, not one per retry.
        var warnings = silo.Output.Split('\n').Count(l => l.Contains("Ledger not ready", StringComparison.Ordinal));
        Assert.Equal(1, warnings);
    }

    private static async Task<JsonElement> ReadinessAsync(SiloProcess silo)
    {
        using var response = await Http.GetAsync($"http://127.0.0.1:{silo.HttpPort}/health/ready");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
