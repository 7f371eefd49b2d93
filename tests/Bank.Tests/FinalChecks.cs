using System.Globalization;
using System.Numerics;
using System.Text;
using Npgsql;
using OrleansWallet.Client;
using OrleansWallet.Streaming.Kafka;

namespace OrleansWallet.Bank.Tests;

/// <summary>
/// The end-of-run checks, at a quiescent point (clients stopped, faults undone, outboxes drained):
/// every balance exactly as the acknowledged operations predict, no negative and held = open
/// holds + pending withdrawals, conservation per asset, reconcile without drift, each
/// acknowledged operation's journal entries exactly once (and nothing else), every order's final
/// state, and every order's events complete and in order on Kafka.
/// </summary>
public sealed class FinalChecks(BankCluster cluster, Model model, IReadOnlyList<string> users, OrderEventLog events, RunLog log)
{
    private static readonly TimeSpan QuiescenceTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan EventsTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    private readonly List<WalletChannel> _channels = [];
    private int _cursor;

    /// <summary>Figures for the report (entries checked, events seen, duplicates dropped...).</summary>
    public List<string> Summary { get; } = [];

    public async Task RunAsync()
    {
        foreach (var slot in cluster.Slots.Where(s => s.Running))
            _channels.Add(new WalletChannel(new WalletClientOptions
            {
                Address = new Uri(slot.GrpcAddress), Deadline = TimeSpan.FromSeconds(30), BearerToken = cluster.Credentials.OperatorToken(),
            }));
        try
        {
            await Step("quiescence", WaitForQuiescenceAsync);
            // Reading every order also re-activates any whose outbox still holds unpublished events.
            await Step("orders", CheckOrdersAsync);
            var balances = await Step("balances", CheckBalancesAsync);
            await Step("reconcile", CheckReconcileAsync);
            if (balances is not null) await Step("journal", () => CheckJournalAsync(balances));
            await Step("events", CheckEventsAsync);
        }
        finally
        {
            foreach (var channel in _channels) channel.Dispose();
        }
    }

    private async Task Step(string name, Func<Task> check) => await Step<object?>(name, async () => { await check(); return null; });

    private async Task<T?> Step<T>(string name, Func<Task<T>> check)
    {
        var started = log.Now;
        try
        {
            var result = await check();
            log.Event($"check {name} done in {(log.Now - started).TotalSeconds:F1} s");
            return result;
        }
        catch (Exception ex)
        {
            log.Violation("check-failed", $"{name}: {ex.GetType().Name}: {ex.Message}");
            return default;
        }
    }

    /// <summary>No journal entry waiting in an outbox, no withdrawal status waiting, no transfer in flight, for every user.</summary>
    private async Task WaitForQuiescenceAsync()
    {
        var deadline = log.Now + QuiescenceTimeout;
        var pending = users.ToList();
        var last = new Dictionary<string, LedgerStatus>();
        while (pending.Count > 0 && log.Now < deadline)
        {
            foreach (var user in pending.ToList())
            {
                try
                {
                    var status = await AnyChannel().Ledger.GetStatusAsync(user);
                    last[user] = status;
                    if (status is { OutboxEntries: 0, PendingWithdrawalUpdates: 0, PendingTransfers: 0 }) pending.Remove(user);
                }
                catch (ServiceUnavailableException)
                {
                    Interlocked.Increment(ref _cursor);
                }
            }
            if (pending.Count > 0) await Task.Delay(250);
        }
        foreach (var user in pending)
            log.Violation("not-quiescent", $"{user} after {QuiescenceTimeout.TotalSeconds:F0} s: {last.GetValueOrDefault(user)}");
    }

    private async Task CheckOrdersAsync()
    {
        await Parallel.ForEachAsync(model.Orders, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (fact, _) =>
        {
            OrderInfo order;
            try
            {
                order = await AnswerAsync(c => c.Orders.GetAsync(fact.OrderId), $"GetOrder {fact.OrderId}");
            }
            catch (WalletApiException ex)
            {
                log.Violation("order-lost", $"order {fact.OrderId} (placement acknowledged): {ex.Status}/{ex.Reason}");
                return;
            }
            if (order.State.ToString() != fact.ExpectedStatus || order.SoldAmount != fact.Sold || order.BoughtAmount != fact.Bought
                || order.UserId != fact.User || order.SellAmount != fact.SellAmount)
                log.Violation("order-state",
                    $"{fact.OrderId}: service says {order.State} sold {order.SoldAmount} bought {order.BoughtAmount}; acknowledged " +
                    $"steps say {fact.ExpectedStatus} sold {fact.Sold} bought {fact.Bought} ({fact.Fills.Count} fills{(fact.Cancelled ? ", cancelled" : "")})");
        });
        Summary.Add($"orders: {model.Orders.Count} acknowledged placements, {model.Orders.Count(o => o.Rejected)} rejected, " +
                    $"{model.Orders.Sum(o => o.Fills.Count)} fills, {model.Orders.Count(o => o.Cancelled)} cancelled, " +
                    $"{model.Orders.Count(o => o.IsOpen)} open at the end");
    }

    /// <summary>Returns the balances read, per (user, asset).</summary>
    private async Task<Dictionary<(string User, string Asset), Balance>> CheckBalancesAsync()
    {
        var actual = new Dictionary<(string User, string Asset), Balance>();
        var wallets = await AnswerAsync(c => c.Wallets.GetBalancesBatchAsync(users), "GetBalancesBatch");
        foreach (var wallet in wallets)
            foreach (var balance in wallet.Balances)
                actual[(wallet.UserId, balance.Asset)] = balance;

        var expected = model.ExpectedBalances();
        var mismatches = 0;
        foreach (var key in expected.Keys.Concat(actual.Keys).Distinct().OrderBy(k => k.User, StringComparer.Ordinal).ThenBy(k => k.Asset, StringComparer.Ordinal))
        {
            var want = expected.GetValueOrDefault(key);
            var have = actual.GetValueOrDefault(key) ?? new Balance(key.Asset, 0, 0);
            if (have.Available < 0 || have.Held < 0)
                log.Violation("negative-balance", $"{key.User} {key.Asset}: available {have.Available}, held {have.Held}");
            if (have.Available != want.Available || have.Held != want.Held)
            {
                mismatches++;
                log.Violation("balance",
                    $"{key.User} {key.Asset}: service available {have.Available} held {have.Held}; predicted available {want.Available} " +
                    $"held {want.Held} (diff {have.Available - want.Available} / {have.Held - want.Held})");
            }
        }

        // held = what open orders still hold + pending withdrawals, per user and asset (the wallet's invariant).
        var holds = new Dictionary<(string User, string Asset), BigInteger>();
        foreach (var o in model.Orders.Where(o => o.IsOpen)) holds[(o.User, o.SellAsset)] = holds.GetValueOrDefault((o.User, o.SellAsset)) + o.Remaining;
        foreach (var w in model.Withdrawals.Where(w => w.Outcome == WithdrawalOutcome.Pending))
            holds[(w.User, w.Asset)] = holds.GetValueOrDefault((w.User, w.Asset)) + w.Amount;
        foreach (var key in holds.Keys.Concat(actual.Keys).Distinct())
        {
            var held = actual.GetValueOrDefault(key)?.Held ?? 0;
            if (held != holds.GetValueOrDefault(key))
                log.Violation("held-invariant", $"{key.User} {key.Asset}: held {held}, open orders and pending withdrawals hold {holds.GetValueOrDefault(key)}");
        }

        // Conservation: per asset, all balances = deposits - completed withdrawals - sold by fills + bought by fills.
        var totals = model.ExpectedTotals();
        foreach (var asset in BankClient.Assets)
        {
            var sum = actual.Where(a => a.Key.Asset == asset).Aggregate(BigInteger.Zero, (s, a) => s + a.Value.Available + a.Value.Held);
            if (sum != totals.GetValueOrDefault(asset))
                log.Violation("conservation", $"{asset}: balances sum to {sum}, deposits - withdrawals - sold + bought = {totals.GetValueOrDefault(asset)}");
        }
        Summary.Add($"balances: {actual.Count} (user, asset) pairs compared with the prediction, {mismatches} differ");
        return actual;
    }

    private async Task CheckReconcileAsync()
    {
        var report = await AnswerAsync(c => c.Ledger.ReconcileAsync(), "Reconcile");
        foreach (var d in report.Differences)
            log.Violation("reconcile-drift", $"{d.UserId} {d.Asset} {d.Bucket}: wallet {d.WalletAmount}, ledger {d.LedgerAmount}");
        if (report.OutboxEntries != 0 || report.PendingTransfers != 0)
            log.Violation("reconcile-not-quiescent", $"{report.OutboxEntries} outbox entries, {report.PendingTransfers} transfers in flight");
        if (report.WalletsChecked < users.Count)
            log.Violation("reconcile", $"only {report.WalletsChecked} wallets checked of {users.Count} users");
        Summary.Add($"reconcile: {report.WalletsChecked} wallets, {report.Differences.Count} differences");
    }

    /// <summary>
    /// The journal holds exactly the acknowledged operations' entries, each once, and nothing
    /// else; per user, asset and bucket its sums equal the balances read.
    /// </summary>
    private async Task CheckJournalAsync(Dictionary<(string User, string Asset), Balance> balances)
    {
        var rows = new List<ExpectedEntry>();
        await using (var connection = new NpgsqlConnection(cluster.LedgerConnectionString))
        {
            await connection.OpenAsync();
            await using var query = new NpgsqlCommand(
                "SELECT entry_id, operation_id, kind, user_id, asset, bucket, amount::text FROM ledger_entries", connection);
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows.Add(new ExpectedEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5), BigInteger.Parse(reader.GetString(6), CultureInfo.InvariantCulture)));
        }

        foreach (var twice in rows.GroupBy(r => r.EntryId).Where(g => g.Count() > 1))
            log.Violation("journal-duplicate", $"entry {twice.Key} is in the journal {twice.Count()} times");
        var actual = rows.GroupBy(r => r.EntryId).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var expected = model.ExpectedJournal();
        var expectedIds = new HashSet<string>(expected.Select(e => e.EntryId), StringComparer.Ordinal);
        foreach (var entry in expected)
        {
            if (!actual.TryGetValue(entry.EntryId, out var found))
                log.Violation("journal-missing", $"{entry.EntryId} ({entry.Kind} {entry.User} {entry.Asset} {entry.Bucket} {entry.Amount})");
            else if (found != entry)
                log.Violation("journal-wrong", $"{entry.EntryId}: journal {found}, expected {entry}");
        }
        foreach (var extra in actual.Values.Where(r => !expectedIds.Contains(r.EntryId)))
            log.Violation("journal-unexpected", $"{extra.EntryId} ({extra.Kind} {extra.User} {extra.Asset} {extra.Bucket} {extra.Amount}): no acknowledged operation made it");

        var sums = rows.Where(r => r.Bucket is "available" or "held")
            .GroupBy(r => (r.User, r.Asset))
            .ToDictionary(g => g.Key, g => (Available: Sum(g, "available"), Held: Sum(g, "held")));
        foreach (var key in sums.Keys.Concat(balances.Keys).Distinct())
        {
            var journal = sums.GetValueOrDefault(key);
            var balance = balances.GetValueOrDefault(key) ?? new Balance(key.Asset, 0, 0);
            if (journal.Available != balance.Available || journal.Held != balance.Held)
                log.Violation("journal-sum", $"{key.User} {key.Asset}: journal available {journal.Available} held {journal.Held}; " +
                                             $"wallet available {balance.Available} held {balance.Held}");
        }
        Summary.Add($"journal: {rows.Count} entries read, {expected.Count} expected from {expected.Select(e => e.OperationId).Distinct().Count()} acknowledged operations");
    }

    private static BigInteger Sum(IEnumerable<ExpectedEntry> entries, string bucket) =>
        entries.Where(e => e.Bucket == bucket).Aggregate(BigInteger.Zero, (s, e) => s + e.Amount);

    /// <summary>
    /// For every acknowledged order: on its user's partition (Java's murmur2), keyed by the user;
    /// after dropping repeated event ids, sequences 1..n in offset order, the types the
    /// acknowledged steps imply, and the last event's status the order's final status.
    /// </summary>
    private async Task CheckEventsAsync()
    {
        var orders = model.Orders.ToDictionary(o => o.OrderId, StringComparer.Ordinal);
        var deadline = log.Now + EventsTimeout;
        List<OrderEventLog.Record> records;
        while (true)
        {
            records = events.Snapshot().ToList();
            var seen = records.GroupBy(r => r.OrderId).ToDictionary(g => g.Key, g => g.Select(r => r.EventId).Distinct().Count());
            var incomplete = orders.Values.Count(o => seen.GetValueOrDefault(o.OrderId) < o.ExpectedEventTypes().Count);
            if (incomplete == 0 || log.Now > deadline) break;
            await Task.Delay(250);
        }

        var duplicates = 0;
        var byOrder = records.GroupBy(r => r.OrderId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var (orderId, list) in byOrder.Where(o => !orders.ContainsKey(o.Key)))
            log.Violation("event-unexpected", $"{list.Count} events of order {orderId}, which no acknowledged placement made: {Describe(list)}");
        foreach (var order in orders.Values)
        {
            var all = byOrder.GetValueOrDefault(order.OrderId) ?? [];
            var expectedPartition = KafkaPartitioner.PartitionFor(Encoding.UTF8.GetBytes(order.User), BankCluster.OrderEventsPartitionCount);
            foreach (var misplaced in all.Where(r => r.Partition != expectedPartition || r.Key != order.User || r.UserId != order.User))
                log.Violation("event-partition", $"{misplaced.EventId} on partition {misplaced.Partition} key {misplaced.Key}; user {order.User} is on {expectedPartition}");
            var firsts = new List<OrderEventLog.Record>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var r in all.OrderBy(r => r.Partition).ThenBy(r => r.Offset))
            {
                if (ids.Add(r.EventId)) firsts.Add(r);
                else duplicates++;
            }
            var types = order.ExpectedEventTypes();
            var sequences = firsts.Select(r => r.Sequence).ToList();
            if (!sequences.SequenceEqual(Enumerable.Range(1, firsts.Count).Select(i => (long)i)) || firsts.Count != types.Count
                || !firsts.Select(r => r.Type).SequenceEqual(types))
                log.Violation("events", $"order {order.OrderId}: after dedupe got {Describe(firsts)}; acknowledged steps imply " +
                                        $"{string.Join(",", types.Select((t, i) => $"{i + 1}:{t}"))}");
            else if (firsts[^1].Status != order.ExpectedStatus)
                log.Violation("events", $"order {order.OrderId}: last event says {firsts[^1].Status}, the order is {order.ExpectedStatus}");
        }
        Summary.Add($"events: {records.Count} order events read ({events.Unreadable} other messages), {duplicates} duplicates dropped, " +
                    $"{orders.Values.Sum(o => o.ExpectedEventTypes().Count)} expected for {orders.Count} orders");
    }

    private static string Describe(IEnumerable<OrderEventLog.Record> records) =>
        string.Join(",", records.Select(r => $"{r.Sequence}:{r.Type}@{r.Partition}/{r.Offset}"));

    private WalletChannel AnyChannel() => _channels[(int)((uint)Volatile.Read(ref _cursor) % (uint)_channels.Count)];

    /// <summary>A read at the end of the run: retried on transient answers (any silo), a definite refusal is thrown.</summary>
    private async Task<T> AnswerAsync<T>(Func<WalletChannel, Task<T>> call, string what)
    {
        var deadline = log.Now + AnswerTimeout;
        while (true)
        {
            try
            {
                return await call(AnyChannel());
            }
            catch (ServiceUnavailableException) when (log.Now < deadline)
            {
                Interlocked.Increment(ref _cursor);
                await Task.Delay(200);
            }
            catch (ServiceUnavailableException ex)
            {
                throw new TimeoutException($"{what}: no answer within {AnswerTimeout.TotalSeconds:F0} s ({ex.Reason})", ex);
            }
        }
    }
}
