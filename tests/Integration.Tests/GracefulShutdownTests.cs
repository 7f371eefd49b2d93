using Xunit.Abstractions;
using System.Diagnostics;
using System.Text.Json;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// SIGTERM to one of two silos during a workload with an open WatchOrderEvents stream: the silo
/// exits within 5 s, gracefully (grains deactivated, not abandoned), its membership entry is
/// Dead, its watcher is told to watch again, and the other silo serves every wallet at once with
/// the money intact.
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StopTimeMax = TimeSpan.FromSeconds(5);
    private WalletCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await WalletCluster.StartAsync(silos: 2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_stopped_silo_leaves_within_five_seconds_and_the_other_serves_its_wallets()
    {
        var stopping = _cluster.Silos[1];
        var viaStopping = _cluster.Channel(1);
        var viaSurvivor = _cluster.Channel(0);
        var users = Enumerable.Range(0, 12).Select(i => Ids.User($"stop{i}")).ToList();
        var expected = users.ToDictionary(u => u, _ => 0L);

        // Wallets on both silos (placement spreads them), all driven through the silo that will stop.
        foreach (var user in users)
        {
            await viaStopping.Wallets.CreditDepositAsync(user, "ETH", 1_000, Ids.Key("tx"));
            expected[user] += 1_000;
        }
        for (var i = 0; i < users.Count; i++)
        {
            var (from, to) = (users[i], users[(i + 1) % users.Count]);
            await viaStopping.Wallets.TransferAsync(from, to, "ETH", 100 + i, Ids.Key("pay"));
            expected[from] -= 100 + i;
            expected[to] += 100 + i;
        }

        // A live order-event watch on the stopping silo: the kind of call that used to hold the stop for 30 s.
        using var watch = await viaStopping.Orders.WatchEventsAsync(users[0]);
        var firstEvent = new TaskCompletionSource();
        var watching = Task.Run(async () =>
        {
            await foreach (var _ in watch.ReadAllAsync()) firstEvent.TrySetResult();
        });
        await viaStopping.Orders.PlaceAsync(Ids.Key("order"), users[0], "ETH", 10, "USDC", 1);
        expected[users[0]] -= 10; // held by the order: available drops, held rises
        await firstEvent.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Deposits in flight while the stop begins: each either completes or is refused as retryable.
        var inFlight = users.Select(u => (User: u, TxId: Ids.Key("tx"))).ToList();
        var calls = inFlight.Select(c => viaStopping.Wallets.CreditDepositAsync(c.User, "ETH", 7, c.TxId)).ToList();

        var clock = Stopwatch.StartNew();
        await stopping.StopAsync();
        clock.Stop();
        output.WriteLine($"silo stop took {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.True(stopping.HasExited, "the silo process is still running");
        Assert.True(clock.Elapsed < StopTimeMax, $"stop took {clock.Elapsed.TotalSeconds:0.00} s\n{Tail(stopping.Output)}");
        Assert.DoesNotContain("non-graceful", stopping.Output);
        Assert.DoesNotContain("failed to deactivate promptly", stopping.Output);

        // The watcher is told to watch again (Unavailable), not left hanging.
        var watchEnd = await Assert.ThrowsAsync<ServiceUnavailableException>(() => watching.WaitAsync(TimeSpan.FromSeconds(10)));
        output.WriteLine($"watch ended: {watchEnd.Reason}");

        // The stopped silo is Dead in the membership table (Redis clustering).
        var entry = await MembershipEntryAsync(stopping);
        Assert.Equal(6, entry.GetProperty("Status").GetInt32()); // SiloStatus.Dead

        // In-flight deposits: whatever each answered, retrying it with the same key on the
        // survivor credits it exactly once.
        foreach (var (call, (user, txId)) in calls.Zip(inFlight))
        {
            try { await call; }
            catch (ServiceUnavailableException) { /* refused while stopping: the retry below decides */ }
            await viaSurvivor.Wallets.CreditDepositAsync(user, "ETH", 7, txId);
            expected[user] += 7;
        }

        // The survivor answers for every wallet right away, with the money intact.
        clock.Restart();
        foreach (var user in users)
        {
            var balances = await viaSurvivor.Wallets.GetBalancesAsync(user);
            var eth = balances.Single(b => b.Asset == "ETH");
            Assert.Equal(expected[user], (long)eth.Available);
        }
        output.WriteLine($"survivor served {users.Count} wallets in {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.True(clock.Elapsed < StopTimeMax, $"survivor took {clock.Elapsed.TotalSeconds:0.00} s to serve the wallets");
    }

    private async Task<JsonElement> MembershipEntryAsync(SiloProcess silo)
    {
        var key = $"{silo.Environment["Silo__ServiceId"]}/members/{_cluster.ClusterId}";
        var redisCli = ServiceBinaries.Find("redis-cli");
        var info = new ProcessStartInfo(redisCli) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-p", _cluster.Redis.Port.ToString(), "--raw", "HGETALL", key }) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var lines = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await process.WaitForExitAsync();
        // Rows are keyed "S<ip>:<port>:<generation>".
        var siloEndpoint = $"S127.0.0.1:{silo.Environment["Silo__SiloPort"]}:";
        for (var i = 0; i + 1 < lines.Length; i += 2)
            if (lines[i].StartsWith(siloEndpoint, StringComparison.Ordinal))
                return JsonDocument.Parse(lines[i + 1]).RootElement.Clone();
        throw new InvalidOperationException($"no membership row for {siloEndpoint} under {key}:\n{string.Join('\n', lines)}");
    }

    private static string Tail(string log) => log.Length <= 4000 ? log : log[^4000..];
}
