using System.Numerics;
using OrleansWallet.Ledger.Reference;
using OrleansWallet.Ledger.Withdrawals;
using OrleansWallet.TestSupport;

namespace OrleansWallet.Ledger.Tests;

[Collection(PostgresCollection.Name)]
public class WithdrawalPolicyTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Allowed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    private const string NotAllowed = "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359";
    private const string BadChecksum = "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    private const string BitcoinAllowed = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    private static readonly BigInteger Eth = BigInteger.Pow(10, 18);

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 29, 23, 0, 0, TimeSpan.Zero));
    private RedisServer _redis = null!;
    private LedgerHost _ledger = null!;

    private ReferenceData Reference => _ledger.Reference;
    private WithdrawalPolicy Policy => _ledger.Policy;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _ledger = await LedgerHost.StartAsync(await postgres.NewDatabaseAsync(), _redis.Endpoint, time: _clock);
        await Reference.UpsertAssetAsync(new Asset("ETH", "ethereum", 18, null, true));
        await Reference.UpsertAssetAsync(new Asset("BTC", "bitcoin", 8, null, true));
        await Reference.UpsertAssetAsync(new Asset("OLD", "ethereum", 18, "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", false));
        await Reference.UpsertUserAsync(new UserProfile("alice", 1));
        await Reference.SetTierLimitAsync(1, "ETH", 10 * Eth);
        await Reference.SetTierLimitAsync(1, "BTC", 100_000_000);
        await Reference.AddToAllowlistAsync("alice", "ethereum", Allowed);
        await Reference.AddToAllowlistAsync("alice", "bitcoin", BitcoinAllowed);
    }

    public async Task DisposeAsync()
    {
        await _ledger.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static WithdrawalRequest Request(string id, BigInteger amount, string address = Allowed, string asset = "ETH",
        string chain = "ethereum", string user = "alice") => new(id, user, asset, amount, chain, address);

    [Fact]
    public async Task Accepted_when_the_address_is_valid_allow_listed_and_within_the_limit()
    {
        Assert.True((await Policy.CheckAsync("alice", "ETH", 3 * Eth, "ethereum", Allowed)).IsAllowed);
        Assert.True((await Policy.CheckAsync("alice", "ETH", 3 * Eth, "ethereum", Allowed.ToLowerInvariant())).IsAllowed);
        Assert.True((await Policy.CheckAsync("alice", "BTC", 5000, "bitcoin", BitcoinAllowed)).IsAllowed);
        Assert.True((await Policy.RecordWithdrawalAsync(Request("w1", 10 * Eth))).IsAllowed); // exactly the limit
    }

    [Fact]
    public async Task Rejected_over_the_daily_limit_counting_pending_and_completed_but_not_failed()
    {
        Assert.True((await Policy.RecordWithdrawalAsync(Request("w1", 6 * Eth))).IsAllowed);
        Assert.True((await Policy.RecordWithdrawalAsync(Request("w2", 3 * Eth))).IsAllowed);
        await Policy.CompleteWithdrawalAsync("w1");

        var check = await Policy.CheckAsync("alice", "ETH", 2 * Eth, "ethereum", Allowed);
        Assert.Equal(WithdrawalRejection.DailyLimitExceeded, check.Reason);
        var record = await Policy.RecordWithdrawalAsync(Request("w3", 2 * Eth));
        Assert.Equal(WithdrawalRejection.DailyLimitExceeded, record.Reason);
        Assert.Contains("remaining 1000000000000000000", record.Detail);

        await Policy.FailWithdrawalAsync("w2"); // its 3 ETH no longer count
        Assert.True((await Policy.RecordWithdrawalAsync(Request("w3", 2 * Eth))).IsAllowed);
        Assert.Equal(WithdrawalRejection.DailyLimitExceeded, (await Policy.CheckAsync("alice", "ETH", 2 * Eth + 1, "ethereum", Allowed)).Reason);

        _clock.Now = _clock.Now.AddHours(1); // midnight UTC: a new day, a new limit
        Assert.True((await Policy.CheckAsync("alice", "ETH", 10 * Eth, "ethereum", Allowed)).IsAllowed);
    }

    [Fact]
    public async Task Rejected_to_an_address_not_on_the_allow_list()
    {
        Assert.Equal(WithdrawalRejection.AddressNotAllowlisted, (await Policy.CheckAsync("alice", "ETH", 1, "ethereum", NotAllowed)).Reason);
        Assert.Equal(WithdrawalRejection.AddressNotAllowlisted, (await Policy.RecordWithdrawalAsync(Request("w1", 1, NotAllowed))).Reason);
    }

    [Fact]
    public async Task Rejected_to_an_address_with_a_bad_eip55_checksum_or_bad_format()
    {
        Assert.Equal(WithdrawalRejection.AddressChecksum, (await Policy.CheckAsync("alice", "ETH", 1, "ethereum", BadChecksum)).Reason);
        Assert.Equal(WithdrawalRejection.AddressChecksum, (await Policy.RecordWithdrawalAsync(Request("w1", 1, BadChecksum))).Reason);
        Assert.Equal(WithdrawalRejection.AddressInvalid, (await Policy.CheckAsync("alice", "ETH", 1, "ethereum", "0x1234")).Reason);
        Assert.Equal(WithdrawalRejection.AddressChecksum,
            (await Policy.CheckAsync("alice", "BTC", 1, "bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")).Reason);
    }

    [Fact]
    public async Task Rejected_for_unknown_user_unknown_or_disabled_asset_wrong_chain_and_no_configured_limit()
    {
        Assert.Equal(WithdrawalRejection.UnknownUser, (await Policy.CheckAsync("mallory", "ETH", 1, "ethereum", Allowed)).Reason);
        Assert.Equal(WithdrawalRejection.UnknownUser, (await Policy.RecordWithdrawalAsync(Request("w1", 1, user: "mallory"))).Reason);
        Assert.Equal(WithdrawalRejection.UnknownAsset, (await Policy.CheckAsync("alice", "XYZ", 1, "ethereum", Allowed)).Reason);
        Assert.Equal(WithdrawalRejection.AssetDisabled, (await Policy.CheckAsync("alice", "OLD", 1, "ethereum", Allowed)).Reason);
        Assert.Equal(WithdrawalRejection.ChainMismatch, (await Policy.CheckAsync("alice", "ETH", 1, "bitcoin", BitcoinAllowed)).Reason);

        await Reference.UpsertUserAsync(new UserProfile("bob", 0)); // tier 0 has no ETH limit row
        await Reference.AddToAllowlistAsync("bob", "ethereum", Allowed);
        Assert.Equal(WithdrawalRejection.DailyLimitExceeded, (await Policy.CheckAsync("bob", "ETH", 1, "ethereum", Allowed)).Reason);
        await Reference.SetUserLimitOverrideAsync("bob", "ETH", 5);
        Assert.True((await Policy.RecordWithdrawalAsync(Request("b1", 5, user: "bob"))).IsAllowed);
    }

    [Fact]
    public async Task Recording_is_idempotent_by_withdrawal_id()
    {
        Assert.True((await Policy.RecordWithdrawalAsync(Request("w1", 6 * Eth))).IsAllowed);
        Assert.True((await Policy.RecordWithdrawalAsync(Request("w1", 6 * Eth))).IsAllowed); // counted once
        Assert.True((await Policy.CheckAsync("alice", "ETH", 4 * Eth, "ethereum", Allowed)).IsAllowed);
        await Assert.ThrowsAsync<ArgumentException>(() => Policy.RecordWithdrawalAsync(Request("w1", 7 * Eth)));

        await Policy.CompleteWithdrawalAsync("w1");
        await Policy.CompleteWithdrawalAsync("w1");
        await Assert.ThrowsAsync<InvalidOperationException>(() => Policy.FailWithdrawalAsync("w1"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Policy.CompleteWithdrawalAsync("never"));
    }

    [Fact]
    public async Task Concurrent_records_never_exceed_the_limit()
    {
        var decisions = await Task.WhenAll(Enumerable.Range(0, 25).Select(i =>
            Task.Run(() => Policy.RecordWithdrawalAsync(Request($"c{i}", Eth)))));
        Assert.Equal(10, decisions.Count(d => d.IsAllowed));
        Assert.All(decisions.Where(d => !d.IsAllowed), d => Assert.Equal(WithdrawalRejection.DailyLimitExceeded, d.Reason));
    }
}
