using System.Numerics;
using Npgsql;
using OrleansWallet.Ledger.Journal;

namespace OrleansWallet.Ledger.Tests;

[Collection(PostgresCollection.Name)]
public class LedgerJournalTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private LedgerHost _ledger = null!;

    public async Task InitializeAsync() => _ledger = await LedgerHost.StartAsync(await postgres.NewDatabaseAsync());
    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    public static TheoryData<string> Kinds => new(Enum.GetValues<MovementKind>().Select(k => k.ToString()));

    private static IReadOnlyList<LedgerEntry> Movement(MovementKind kind, string op) => kind switch
    {
        MovementKind.Deposit => LedgerMovements.Deposit(op, "alice", "ETH", 100, At),
        MovementKind.WithdrawalRequest => LedgerMovements.WithdrawalRequest(op, "alice", "ETH", 40, At),
        MovementKind.WithdrawalComplete => LedgerMovements.WithdrawalComplete(op, "alice", "ETH", 30, At),
        MovementKind.WithdrawalFail => LedgerMovements.WithdrawalFail(op, "alice", "ETH", 10, At),
        MovementKind.Transfer => LedgerMovements.TransferIn(op, "alice", "bob", "ETH", 20, At),
        MovementKind.TransferRefund => LedgerMovements.TransferRefund(op, "alice", "ETH", 20, At),
        MovementKind.OrderHold => LedgerMovements.OrderHold(op, "alice", "ETH", 25, At),
        MovementKind.OrderFill => LedgerMovements.OrderFill(op, "alice", "ETH", 15, "USDC", 45_000, At),
        MovementKind.OrderRelease => LedgerMovements.OrderRelease(op, "alice", "ETH", 10, At),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Each_movement_writes_its_balanced_entries_once_even_when_replayed(string kindName)
    {
        var kind = Enum.Parse<MovementKind>(kindName);
        var entries = Movement(kind, $"{kindName}:1");

        Assert.Equal(entries.Count, await _ledger.Journal.AppendAsync(entries));
        Assert.Equal(0, await _ledger.Journal.AppendAsync(entries));

        var stored = await ReadOperationAsync($"{kindName}:1");
        Assert.Equal(entries.Select(e => (e.EntryId, e.UserId, e.Asset, e.Bucket, e.Amount)),
            stored.Select(e => (e.EntryId, e.UserId, e.Asset, e.Bucket, e.Amount)));
        Assert.All(stored, e => Assert.Equal(kind, e.Kind));
        Assert.All(stored.GroupBy(e => e.Asset), g => Assert.Equal(BigInteger.Zero, Sum(g)));
    }

    [Fact]
    public async Task An_unbalanced_batch_is_refused_and_writes_nothing()
    {
        var deposit = LedgerMovements.Deposit("dep:1", "alice", "ETH", 100, At);
        var broken = new[] { deposit[0], deposit[1] with { Amount = 99 } };

        var error = await Assert.ThrowsAsync<UnbalancedOperationException>(() => _ledger.Journal.AppendAsync(broken));
        Assert.Equal(("dep:1", "ETH", new BigInteger(-1)), (error.OperationId, error.Asset, error.Sum));
        Assert.Empty(await ReadOperationAsync("dep:1"));
    }

    [Fact]
    public async Task The_database_refuses_an_unbalanced_operation_written_behind_the_codes_back()
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => _ledger.ExecuteSqlAsync(
            "INSERT INTO ledger_entries (entry_id, operation_id, kind, user_id, asset, bucket, amount, created_at) " +
            "VALUES ('x#0', 'x', 'deposit', 'alice', 'ETH', 'available', 5, now())"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        await Assert.ThrowsAsync<PostgresException>(() => _ledger.ExecuteSqlAsync("DELETE FROM ledger_entries"));
    }

    [Fact]
    public async Task Reusing_an_operation_id_for_a_different_movement_is_a_conflict()
    {
        await _ledger.Journal.AppendAsync(LedgerMovements.Deposit("dep:1", "alice", "ETH", 100, At));
        var error = await Assert.ThrowsAsync<LedgerEntryConflictException>(() =>
            _ledger.Journal.AppendAsync(LedgerMovements.Deposit("dep:1", "alice", "ETH", 101, At)));
        Assert.Equal("dep:1#0", error.EntryId);

        // A batch carrying a conflict writes nothing, not even its new operations.
        var mixed = LedgerMovements.Deposit("dep:2", "alice", "ETH", 3, At).Concat(LedgerMovements.Deposit("dep:1", "alice", "ETH", 101, At)).ToList();
        await Assert.ThrowsAsync<LedgerEntryConflictException>(() => _ledger.Journal.AppendAsync(mixed));
        Assert.Empty(await ReadOperationAsync("dep:2"));
        Assert.Equal(100, (int)(await _ledger.Journal.GetBalancesFromLedgerAsync("alice")).Single(b => b.Bucket == LedgerBucket.Available).Amount);
    }

    [Fact]
    public async Task Ledger_sums_match_the_expected_balances_after_a_mixed_workload_with_replays()
    {
        var random = new Random(42);
        string[] users = ["u1", "u2", "u3", "u4"];
        string[] assets = ["ETH", "USDC", "BTC"];
        var expected = new Dictionary<(string User, string Asset, LedgerBucket Bucket), BigInteger>();
        void Apply(IEnumerable<LedgerEntry> entries)
        {
            foreach (var e in entries) expected[(e.UserId, e.Asset, e.Bucket)] = expected.GetValueOrDefault((e.UserId, e.Asset, e.Bucket)) + e.Amount;
        }
        BigInteger Available(string u, string a) => expected.GetValueOrDefault((u, a, LedgerBucket.Available));
        BigInteger Held(string u, string a) => expected.GetValueOrDefault((u, a, LedgerBucket.Held));

        var batch = new List<LedgerEntry>();
        var appended = new List<IReadOnlyList<LedgerEntry>>();
        for (var i = 0; i < 600; i++)
        {
            var user = users[random.Next(users.Length)];
            var asset = assets[random.Next(assets.Length)];
            var op = $"op:{i}";
            // Amounts beyond 2^64 so nothing narrower than BigInteger would survive.
            var big = BigInteger.Pow(10, 20) * random.Next(1, 1000);
            IReadOnlyList<LedgerEntry> movement = random.Next(6) switch
            {
                0 => LedgerMovements.Deposit(op, user, asset, big, At),
                1 when Available(user, asset) > 0 => LedgerMovements.WithdrawalRequest(op, user, asset, Available(user, asset) / 2 + 1, At),
                2 when Held(user, asset) > 0 => random.Next(2) == 0
                    ? LedgerMovements.WithdrawalComplete(op, user, asset, Held(user, asset), At)
                    : LedgerMovements.WithdrawalFail(op, user, asset, Held(user, asset), At),
                3 when Available(user, asset) > 0 => LedgerMovements.TransferOut(op + "/out", user, asset, Available(user, asset), At)
                    .Concat(LedgerMovements.TransferIn(op + "/in", user, users.First(u => u != user), asset, Available(user, asset), At)).ToList(),
                4 when Available(user, asset) > 1 => LedgerMovements.OrderHold(op, user, asset, Available(user, asset) / 2, At),
                5 when Held(user, asset) > 1 => LedgerMovements.OrderFill(op, user, asset, Held(user, asset) / 2, assets.First(a => a != asset), big, At),
                _ => Held(user, asset) > 0
                    ? LedgerMovements.OrderRelease(op, user, asset, Held(user, asset), At)
                    : LedgerMovements.Deposit(op, user, asset, big, At),
            };
            Apply(movement);
            batch.AddRange(movement);
            if (batch.Count >= random.Next(1, 60))
            {
                await _ledger.Journal.AppendAsync(batch);
                appended.Add(batch);
                batch = [];
            }
        }
        await _ledger.Journal.AppendAsync(batch);
        appended.Add(batch);
        // An outbox replaying everything after a crash changes nothing.
        foreach (var replay in appended.Where((_, i) => i % 3 == 0))
            Assert.Equal(0, await _ledger.Journal.AppendAsync(replay));

        Assert.All(expected, kv => Assert.True(kv.Key.Bucket == LedgerBucket.External || kv.Value >= 0, $"{kv.Key} went negative"));
        // Paged as reconcile pages: users listed a few at a time, sums asked for a page of users.
        var listed = new List<string>();
        for (var after = ""; ;)
        {
            var page = await _ledger.Journal.ListUsersAsync(after, 2);
            listed.AddRange(page);
            if (page.Count < 2) break;
            after = page[^1];
        }
        Assert.Equal(expected.Keys.Select(k => k.User).Distinct().Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        var all = (await _ledger.Journal.SumBalancesAsync(listed.Take(2).ToList()))
            .Concat(await _ledger.Journal.SumBalancesAsync(listed.Skip(2).ToList()))
            .OrderBy(b => b.UserId, StringComparer.Ordinal).ThenBy(b => b.Asset, StringComparer.Ordinal)
            .ThenBy(b => b.Bucket.ToString().ToLowerInvariant(), StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Where(kv => !kv.Value.IsZero).OrderBy(kv => kv.Key.User).ThenBy(kv => kv.Key.Asset).ThenBy(kv => kv.Key.Bucket.ToString().ToLowerInvariant())
                .Select(kv => (kv.Key.User, kv.Key.Asset, kv.Key.Bucket, kv.Value)),
            all.Where(b => !b.Amount.IsZero).Select(b => (b.UserId, b.Asset, b.Bucket, b.Amount)));
        foreach (var user in users)
        {
            var mine = await _ledger.Journal.GetBalancesFromLedgerAsync(user);
            Assert.Equal(all.Where(b => b.UserId == user), mine);
        }
        // No money created or destroyed: per asset, everything sums to zero across users and buckets.
        Assert.All(all.GroupBy(b => b.Asset), g => Assert.Equal(BigInteger.Zero, g.Aggregate(BigInteger.Zero, (s, b) => s + b.Amount)));
    }

    [Fact]
    public async Task History_pages_newest_first_without_gaps_or_repeats()
    {
        for (var i = 0; i < 12; i++)
        {
            await _ledger.Journal.AppendAsync(LedgerMovements.Deposit($"dep:{i}", "alice", i % 2 == 0 ? "ETH" : "USDC", i + 1, At.AddMinutes(i)));
            await _ledger.Journal.AppendAsync(LedgerMovements.Deposit($"other:{i}", "bob", "ETH", 1, At));
        }

        var seen = new List<LedgerEntry>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _ledger.Journal.GetHistoryAsync("alice", null, 5, token);
            Assert.True(page.Entries.Count <= 5);
            seen.AddRange(page.Entries);
            token = page.NextPageToken;
            pages++;
        } while (token is not null);

        Assert.Equal(5, pages); // 24 entries in pages of 5
        Assert.Equal(24, seen.Select(e => e.EntryId).Distinct().Count());
        Assert.All(seen, e => Assert.Equal("alice", e.UserId));
        Assert.Equal(Enumerable.Range(0, 12).Reverse().SelectMany(i => new[] { $"dep:{i}#1", $"dep:{i}#0" }), seen.Select(e => e.EntryId));
        Assert.Equal(At.AddMinutes(11), seen[0].CreatedAt);

        var eth = await _ledger.Journal.GetHistoryAsync("alice", "ETH", 500, null);
        Assert.Equal(12, eth.Entries.Count);
        Assert.All(eth.Entries, e => Assert.Equal("ETH", e.Asset));
        Assert.Null(eth.NextPageToken);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public async Task History_page_size_outside_1_to_500_is_refused(int pageSize)
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _ledger.Journal.GetHistoryAsync("alice", null, pageSize, null));
        Assert.Equal("pageSize", error.ParamName);
    }

    [Fact]
    public async Task A_page_token_not_issued_by_the_journal_is_refused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => _ledger.Journal.GetHistoryAsync("alice", null, 10, "next please"));

    private async Task<List<LedgerEntry>> ReadOperationAsync(string operationId)
    {
        var page = await _ledger.Journal.GetHistoryAsync("alice", null, 500, null);
        var bob = await _ledger.Journal.GetHistoryAsync("bob", null, 500, null);
        return page.Entries.Concat(bob.Entries).Where(e => e.OperationId == operationId).OrderBy(e => e.EntryId).ToList();
    }

    private static BigInteger Sum(IEnumerable<LedgerEntry> entries) => entries.Aggregate(BigInteger.Zero, (s, e) => s + e.Amount);
}
