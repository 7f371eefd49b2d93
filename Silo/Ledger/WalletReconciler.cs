using System.Numerics;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Wallet;

namespace OrleansWallet.Silo.Ledger;

/// <summary>
/// Compares every wallet's available and held balances with the journal. Wallets come from the
/// wallet directory and from the journal itself; each is asked to flush its outbox first, and
/// what is still unflushed is added to the journal's side, so an outage in progress is not drift.
/// A wallet that cannot be compared (the journal refused its entries, its state cannot be read) is
/// reported as unchecked and the others are still checked. Run it at a quiescent point: traffic
/// during the run can show differences that a second run no longer finds.
/// </summary>
public sealed class WalletReconciler(IGrainFactory grains, WalletDirectory directory, LedgerJournal journal,
    ILogger<WalletReconciler> logger)
{
    /// <summary>16 wallets asked at once: enough to hide grain-call latency, few enough not to swamp a silo.</summary>
    private const int ParallelWalletsMax = 16;

    /// <summary>
    /// Wallets whose journal sums one statement asks for. Each wallet's history is summed whole,
    /// so a page is kept small enough that 64 long-lived wallets stay well inside the Postgres
    /// timeout; the whole journal in one statement did not (after 1,000,000 operations).
    /// </summary>
    private const int WalletsPerJournalStatement = 64;

    /// <summary>Distinct journal users listed per statement (an index probe each).</summary>
    private const int JournalUsersPage = 1_000;

    private static readonly string[] WalletBuckets = ["available", "held"];

    public async Task<ReconciliationReport> ReconcileAsync(CancellationToken cancellationToken)
    {
        var users = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var user in directory.ListAsync().WithCancellation(cancellationToken)) users.Add(user);
        // A user the journal knows but the directory does not (its directory entry lost) is checked too.
        var after = "";
        while (true)
        {
            var page = await journal.ListUsersAsync(after, JournalUsersPage, cancellationToken);
            users.UnionWith(page);
            if (page.Count < JournalUsersPage) break;
            after = page[^1];
        }

        var unchecked_ = new Dictionary<string, string>(StringComparer.Ordinal);
        var gate = new object();
        // Flush first so the journal holds as much as it can; a wallet that cannot flush (Postgres
        // refusing) keeps its entries, which are counted from its snapshot below.
        await Parallel.ForEachAsync(users, Options(cancellationToken), async (user, _) =>
        {
            try
            {
                await grains.GetGrainByKey<IWalletGrain>(user).FlushLedger();
            }
            catch (WalletException ex) when (ex.Code == ErrorCodes.LedgerUnavailable)
            {
                logger.LogInformation("Reconcile: wallet {User} could not flush its outbox: {Reason}", user, ex.Message);
            }
            catch (Exception ex)
            {
                lock (gate) unchecked_[user] = $"its outbox could not be flushed: {ex.Message}";
            }
        });

        // Then page by page: the journal's sums of a page of wallets, then those wallets' state.
        var differences = new List<BalanceDifference>();
        var outboxEntries = 0;
        var pendingTransfers = 0;
        foreach (var page in users.Chunk(WalletsPerJournalStatement))
        {
            var ledger = new Dictionary<(string User, string Asset, string Bucket), BigInteger>();
            foreach (var sum in await journal.SumBalancesAsync(page, cancellationToken))
                ledger[(sum.UserId, sum.Asset, sum.Bucket.ToString().ToLowerInvariant())] = sum.Amount;

            var wallets = new Dictionary<(string User, string Asset, string Bucket), BigInteger>();
            await Parallel.ForEachAsync(page, Options(cancellationToken), async (user, _) =>
            {
                WalletLedgerSnapshot snapshot;
                try
                {
                    snapshot = await grains.GetGrainByKey<IWalletGrain>(user).GetLedgerSnapshot();
                }
                catch (Exception ex)
                {
                    lock (gate) unchecked_[user] = $"its state could not be read: {ex.Message}";
                    return;
                }
                lock (gate)
                {
                    if (snapshot.Status.Rejection is { } rejection) unchecked_[user] = rejection;
                    foreach (var balance in snapshot.Balances)
                    {
                        wallets[(user, balance.Asset, "available")] = balance.Available.Value;
                        wallets[(user, balance.Asset, "held")] = balance.Held.Value;
                    }
                    foreach (var entry in snapshot.Unflushed)
                    {
                        var key = (entry.UserId, entry.Asset, entry.Bucket);
                        ledger[key] = ledger.GetValueOrDefault(key) + entry.Amount;
                    }
                    outboxEntries += snapshot.Status.OutboxEntries;
                    pendingTransfers += snapshot.Status.PendingTransfers;
                }
            });

            // An unchecked wallet's numbers are not comparable (a refused outbox is not in either
            // side consistently): it is reported as unchecked, not as differences.
            differences.AddRange(wallets.Keys.Concat(ledger.Keys.Where(k => WalletBuckets.Contains(k.Bucket)))
                .Where(k => !unchecked_.ContainsKey(k.User))
                .Distinct()
                .Select(k => new BalanceDifference(k.User, k.Asset, k.Bucket, wallets.GetValueOrDefault(k), ledger.GetValueOrDefault(k)))
                .Where(d => d.WalletAmount != d.LedgerAmount));
        }

        var ordered = differences
            .OrderBy(d => d.UserId, StringComparer.Ordinal).ThenBy(d => d.Asset, StringComparer.Ordinal)
            .ThenBy(d => d.Bucket, StringComparer.Ordinal)
            .ToList();
        var uncheckedWallets = unchecked_.OrderBy(u => u.Key, StringComparer.Ordinal)
            .Select(u => new UncheckedWallet(u.Key, u.Value)).ToList();
        return new ReconciliationReport(users.Count, ordered, outboxEntries, pendingTransfers, uncheckedWallets);
    }

    private static ParallelOptions Options(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = ParallelWalletsMax, CancellationToken = cancellationToken };
}

public sealed record BalanceDifference(string UserId, string Asset, string Bucket, BigInteger WalletAmount, BigInteger LedgerAmount);

public sealed record UncheckedWallet(string UserId, string Reason);

public sealed record ReconciliationReport(int WalletsChecked, IReadOnlyList<BalanceDifference> Differences,
    int OutboxEntries, int PendingTransfers, IReadOnlyList<UncheckedWallet> Unchecked);
