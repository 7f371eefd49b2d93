using System.Numerics;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>Every balance movement reaches the journal as balanced entries; the journal is readable and reconciles.</summary>
[Collection(LedgerClusterCollection.Name)]
public sealed class LedgerJournalTests(LedgerClusterFixture fixture)
{
    private readonly WalletChannel _channel = fixture.Channel;

    [Fact]
    public async Task Every_movement_journals_balanced_entries_and_reconcile_finds_no_drift()
    {
        var alice = Ids.User("alice");
        var bob = Ids.User("bob");
        var wallets = _channel.Wallets;
        var orders = _channel.Orders;
        await WithdrawalSetup.AllowWithdrawalsAsync(_channel, alice, bob);

        await wallets.CreditDepositAsync(alice, "ETH", 10_000, "0xmix:" + alice);
        await wallets.CreditDepositAsync(bob, "USDC", 50_000, "0xmix:" + bob);
        await wallets.TransferAsync(alice, bob, "ETH", 1_000, Ids.Key("t"));
        await wallets.TransferAsync(bob, alice, "USDC", 700, Ids.Key("t"));
        await wallets.RequestWithdrawalAsync(alice, "w1", "ETH", 300, WithdrawalSetup.EthereumAddress);
        await wallets.CompleteWithdrawalAsync(alice, "w1");
        await wallets.RequestWithdrawalAsync(alice, "w2", "ETH", 200, WithdrawalSetup.EthereumAddress);
        await wallets.FailWithdrawalAsync(alice, "w2");
        await wallets.RequestWithdrawalAsync(bob, "w1", "ETH", 50, WithdrawalSetup.EthereumAddress); // stays pending
        var partly = Ids.Key("o");
        await orders.PlaceAsync(partly, alice, "ETH", 2_000, "USDC", 4_000);
        await orders.FillAsync(partly, "f1", 500, 1_100);
        await orders.CancelAsync(partly);
        var whole = Ids.Key("o");
        await orders.PlaceAsync(whole, bob, "USDC", 3_000, "ETH", 100);
        await orders.FillAsync(whole, "f1", 3_000, 120);

        await fixture.WaitUntilJournaledAsync(alice, bob);

        foreach (var user in new[] { alice, bob })
        {
            // Each user's entries sum to their balances (a transfer's legs are on each side's user).
            var entries = await AllHistoryAsync(user);
            var balances = await wallets.GetBalancesAsync(user);
            foreach (var balance in balances)
            {
                Assert.Equal(balance.Available, Sum(entries, balance.Asset, "available"));
                Assert.Equal(balance.Held, Sum(entries, balance.Asset, "held"));
            }
        }
        // Operations balance per asset; transfers only over both users' entries together.
        var both = (await AllHistoryAsync(alice)).Concat(await AllHistoryAsync(bob)).ToList();
        Assert.Equal(both.Count, both.Select(e => e.EntryId).Distinct().Count());
        foreach (var operation in both.GroupBy(e => (e.OperationId, e.Asset)))
            Assert.True(operation.Aggregate(BigInteger.Zero, (sum, e) => sum + e.Amount).IsZero,
                $"operation {operation.Key.OperationId} does not balance in {operation.Key.Asset}");
        Assert.Equal(
            ["deposit", "order_fill", "order_hold", "order_release", "transfer", "withdrawal_complete", "withdrawal_fail", "withdrawal_request"],
            both.Select(e => e.Kind).Distinct().Order(StringComparer.Ordinal));

        var report = await _channel.Ledger.ReconcileAsync();
        Assert.True(report.WalletsChecked >= 2, $"only {report.WalletsChecked} wallets checked");
        Assert.False(report.HasDrift, string.Join("\n", report.Differences));
        Assert.Equal(0, report.OutboxEntries);
    }

    [Fact]
    public async Task History_is_paged_newest_first_through_the_sdk()
    {
        var carol = Ids.User("carol");
        for (var i = 1; i <= 5; i++)
            await _channel.Wallets.CreditDepositAsync(carol, "ETH", i, $"0xpage{i}:{carol}");
        await _channel.Wallets.CreditDepositAsync(carol, "BTC", 9, $"0xpagebtc:{carol}");
        await fixture.WaitUntilJournaledAsync(carol);

        var pages = new List<LedgerHistoryPage>();
        string? token = null;
        do
        {
            var page = await _channel.Ledger.GetHistoryAsync(carol, "ETH", pageSize: 3, pageToken: token);
            pages.Add(page);
            token = page.NextPageToken;
        } while (token is not null);

        Assert.Equal([3, 3, 3, 1], pages.Select(p => p.Entries.Count));
        var entries = pages.SelectMany(p => p.Entries).ToList();
        Assert.Equal(10, entries.Select(e => e.EntryId).Distinct().Count());
        Assert.All(entries, e => Assert.Equal(("ETH", "deposit", carol), (e.Asset, e.Kind, e.UserId)));
        // Newest first: the last deposit's legs lead.
        Assert.StartsWith($"{carol}/deposit/0xpage5:", entries[0].OperationId);
        Assert.Equal((BigInteger)15, Sum(entries, "ETH", "available"));
        Assert.Equal((BigInteger)(-15), Sum(entries, "ETH", "external"));

        var all = await _channel.Ledger.GetHistoryAsync(carol, pageSize: 500);
        Assert.Equal(12, all.Entries.Count);
        Assert.Null(all.NextPageToken);
        var bad = await Assert.ThrowsAsync<InvalidRequestException>(() => _channel.Ledger.GetHistoryAsync(carol, pageSize: 501));
        Assert.Equal("field_malformed", bad.Reason);
    }

    private async Task<List<LedgerEntryInfo>> AllHistoryAsync(string user)
    {
        var page = await _channel.Ledger.GetHistoryAsync(user, pageSize: 500);
        Assert.Null(page.NextPageToken);
        return page.Entries.ToList();
    }

    private static BigInteger Sum(IEnumerable<LedgerEntryInfo> entries, string asset, string bucket) =>
        entries.Where(e => e.Asset == asset && e.Bucket == bucket).Aggregate(BigInteger.Zero, (sum, e) => sum + e.Amount);
}
