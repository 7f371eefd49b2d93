using System.Numerics;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class ConcurrencyTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Fifty_concurrent_transfers_among_ten_users_keep_the_total()
    {
        var channels = new[] { fixture.Cluster.Channel(0), fixture.Cluster.Channel(1) };
        var users = Enumerable.Range(0, 10).Select(i => Ids.User($"u{i}")).ToArray();
        foreach (var user in users) await channels[0].Wallets.CreditDepositAsync(user, "USDC", 1_000, "0xconc:" + user);

        // Seeded, so a failure can be replayed; pairs in both directions at once (A→B while B→A)
        // exercise the wallets' cross-calls for deadlocks.
        var random = new Random(20261129);
        var transfers = Enumerable.Range(0, 50).Select(i =>
        {
            var from = random.Next(users.Length);
            var to = (from + 1 + random.Next(users.Length - 1)) % users.Length;
            return (From: users[from], To: users[to], Amount: new BigInteger(random.Next(1, 300)), Key: $"conc-{i}", Channel: channels[i % 2]);
        }).ToList();

        var outcomes = await Task.WhenAll(transfers.Select(async t =>
        {
            await Task.Yield();
            try
            {
                await t.Channel.Wallets.TransferAsync(t.From, t.To, "USDC", t.Amount, t.Key);
                return true;
            }
            catch (InsufficientFundsException)
            {
                return false;
            }
        }));

        var expected = users.ToDictionary(u => u, _ => new BigInteger(1_000));
        foreach (var (t, applied) in transfers.Zip(outcomes))
        {
            if (!applied) continue;
            expected[t.From] -= t.Amount;
            expected[t.To] += t.Amount;
        }
        BigInteger total = 0;
        foreach (var user in users)
        {
            var balance = Assert.Single(await channels[1].Wallets.GetBalancesAsync(user));
            Assert.Equal(expected[user], balance.Available);
            Assert.Equal(BigInteger.Zero, balance.Held);
            total += balance.Available;
        }
        Assert.Equal(new BigInteger(10_000), total);
        Assert.True(outcomes.Count(o => o) >= 40, $"only {outcomes.Count(o => o)} of 50 transfers applied");
    }
}
