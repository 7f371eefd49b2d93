using System.Numerics;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// On the shared two-silo cluster, after concurrent transfers in both directions through both
/// silos (and whatever the other tests on this cluster did), the journal matches every wallet.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class ClusterReconcileTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Concurrent_transfers_through_both_silos_reconcile_without_drift()
    {
        var channels = new[] { fixture.Cluster.Channel(0), fixture.Cluster.Channel(1) };
        var users = Enumerable.Range(0, 6).Select(i => Ids.User($"r{i}")).ToArray();
        foreach (var user in users) await channels[0].Wallets.CreditDepositAsync(user, "ETH", 1_000, "0xrec:" + user);

        // Each user pays the next and the previous at once, half through each silo.
        await Task.WhenAll(users.SelectMany((user, i) => new[]
        {
            channels[i % 2].Wallets.TransferAsync(user, users[(i + 1) % users.Length], "ETH", 10 + i, $"rec-next-{user}"),
            channels[(i + 1) % 2].Wallets.TransferAsync(user, users[(i + users.Length - 1) % users.Length], "ETH", 20 + i, $"rec-prev-{user}"),
        }));
        await Journaled.WaitAsync(channels[0], users);

        var report = await channels[1].Ledger.ReconcileAsync();
        Assert.False(report.HasDrift, string.Join("\n", report.Differences));
        Assert.True(report.WalletsChecked >= users.Length, $"only {report.WalletsChecked} wallets checked");
        var history = await channels[0].Ledger.GetHistoryAsync(users[0], "ETH", pageSize: 500);
        Assert.Equal((BigInteger)(1_000 - 10 - 20 + (20 + 1) + (10 + 5)),
            history.Entries.Where(e => e.Bucket == "available").Aggregate(BigInteger.Zero, (sum, e) => sum + e.Amount));
    }
}
