using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// Kafka partitions are read by the silos (one Orleans queue per partition, balanced across
/// them). When a silo process is killed, its partitions move to the survivor, which resumes
/// from the committed offsets: a watcher still receives every event (repeats are dropped).
/// </summary>
public sealed class OrderEventFailoverTests
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(90);
    private static readonly int[] Partitions = Enumerable.Range(0, WalletCluster.OrderEventsPartitionCount).ToArray();

    /// <summary>What the provider logs when a silo starts reading a partition.</summary>
    private static string ReadingLine(int partition) => $"reading {WalletCluster.OrderEventsTopic}[{partition}]";

    [Fact]
    public async Task Killing_a_silo_moves_its_partitions_and_loses_no_event()
    {
        await using var cluster = await WalletCluster.StartAsync(silos: 2);
        // Wait until every partition has a reader, then kill a silo that reads at least one (the
        // ring balancer may give one silo all of 4 partitions), or the test would prove nothing.
        await Eventually.ReturnsAsync(() => Task.FromResult(cluster.Silos.Select(s => s.Output).ToList()),
            logs => Partitions.All(p => logs.Any(log => log.Contains(ReadingLine(p)))),
            TimeSpan.FromSeconds(60), "every partition assigned");
        var victimIndex = Partitions.Any(p => cluster.Silos[1].Output.Contains(ReadingLine(p))) ? 1 : 0;
        var survivorIndex = 1 - victimIndex;
        var survivor = cluster.Channel(survivorIndex);
        // Users spread over all 4 partitions, so both silos own some of them.
        var users = Enumerable.Range(0, 8).Select(i => Ids.User($"fo{i}")).ToList();
        foreach (var user in users) await survivor.Wallets.CreditDepositAsync(user, "ETH", 1_000_000, "0xfo:" + user);

        var watches = new List<OrderEventWatch>();
        foreach (var user in users) watches.Add(await survivor.Orders.WatchEventsAsync(user));
        var expected = new HashSet<string>();

        async Task PlaceOrdersAsync(int round)
        {
            foreach (var user in users)
            {
                var orderId = $"fo-{round}-{user}";
                var order = await RetryAsync(() => survivor.Orders.PlaceAsync(orderId, user, "ETH", 10, "USDC", 10));
                expected.Add($"{order.OrderId}:1");
            }
        }

        await PlaceOrdersAsync(round: 1);
        await cluster.Silos[victimIndex].KillAsync();
        await PlaceOrdersAsync(round: 2);

        using var timeout = new CancellationTokenSource(DeliveryTimeout);
        var received = await Task.WhenAll(watches.Select(async watch =>
        {
            var ids = new List<string>();
            await foreach (var e in watch.ReadAllAsync(timeout.Token))
            {
                ids.Add(e.EventId);
                if (ids.Count == 2) break;
            }
            return ids;
        }));
        foreach (var watch in watches) watch.Dispose();

        Assert.Equal(expected.Order(), received.SelectMany(ids => ids).Order());
        // The survivor took over every partition, including those the killed silo read.
        var survivorLog = cluster.Silos[survivorIndex].Output;
        Assert.All(Partitions, p => Assert.Contains(ReadingLine(p), survivorLog));
    }

    /// <summary>
    /// Calls that were in flight on the killed silo fail once with Unavailable; the client retries
    /// with the same order id (its idempotency key) as any client would.
    /// </summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (ServiceUnavailableException) when (attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }
}
