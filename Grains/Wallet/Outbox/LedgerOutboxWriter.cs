using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Ledger.Resilience;
using OrleansWallet.Ledger.Withdrawals;

namespace OrleansWallet.Wallet.Outbox;

/// <summary>
/// One writer per silo for every wallet active in it: takes what the wallets published after
/// their writes, puts their answers in the operation archive (pipelined Redis writes) and their
/// journal entries in Postgres (one statement for many wallets: group commit), then tells each
/// wallet how far it got. Callers never wait for it: a wallet answers as soon as its own state
/// write succeeded. When Postgres is slow or down, wallets wait here (in memory, their entries
/// safe in their own state) and drain at the writer's pace when it is back — no per-wallet timers,
/// no burst of flushes that could starve calls.
/// </summary>
public sealed partial class LedgerOutboxWriter : BackgroundService
{
    public const string MeterName = "OrleansWallet.Wallet";

    /// <summary>The journal's own statement bound (a batch of whole operations).</summary>
    private const int StatementEntriesMax = LedgerLimits.AppendBatchEntriesMax;

    /// <summary>Wallets taken per round: bounds the archive pipeline in flight and a round's memory.</summary>
    private const int RoundWalletsMax = 2_000;

    /// <summary>Retry of the journal while Postgres is unavailable: from a quarter second, doubling to 5 s.</summary>
    private static readonly TimeSpan JournalRetryDelayMin = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan JournalRetryDelayMax = TimeSpan.FromSeconds(5);

    // Read by the writer loop only, but a wait for it may be left pending when a journal retry
    // falls due first (and a new one started next time): a single-reader channel allows one waiter.
    private readonly Channel<WalletOutboxHandle> _ready = Channel.CreateUnbounded<WalletOutboxHandle>();
    private readonly ConcurrentDictionary<WalletOutboxHandle, byte> _active = new();
    private readonly HashSet<WalletOutboxHandle> _waitingForJournal = [];
    private readonly LedgerJournal _journal;
    private readonly WithdrawalPolicy _withdrawalPolicy;
    private readonly OperationArchive _archive;
    private readonly TimeProvider _time;
    private readonly ILogger<LedgerOutboxWriter> _logger;
    private readonly Histogram<int> _statementEntries;
    private readonly Counter<long> _archivedRecords;
    private DateTimeOffset _journalRetryAt;
    private TimeSpan _journalRetryDelay = JournalRetryDelayMin;
    private int _waitingForJournalCount;
    private bool _journalOutageLogged;

    public LedgerOutboxWriter(LedgerJournal journal, WithdrawalPolicy withdrawalPolicy, OperationArchive archive,
        TimeProvider time, IMeterFactory meterFactory, ILogger<LedgerOutboxWriter> logger)
    {
        _journal = journal;
        _withdrawalPolicy = withdrawalPolicy;
        _archive = archive;
        _time = time;
        _logger = logger;
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("wallet.ledger.outbox.entries", () => UnjournaledEntries,
            unit: "{entry}", description: "Journal entries of active wallets not yet written to Postgres");
        meter.CreateObservableGauge("wallet.ledger.outbox.wallets_waiting", () => Volatile.Read(ref _waitingForJournalCount),
            unit: "{wallet}", description: "Wallets whose entries wait for Postgres to be reachable again");
        meter.CreateObservableGauge("wallet.ledger.outbox.wallets_rejected", () => RejectedWallets,
            unit: "{wallet}", description: "Wallets whose entries the journal refused for good (an operator must look)");
        _statementEntries = meter.CreateHistogram<int>("wallet.ledger.journal.statement_entries", unit: "{entry}",
            description: "Entries per journal statement (group commit across wallets)");
        _archivedRecords = meter.CreateCounter<long>("wallet.archive.records", unit: "{record}",
            description: "Operation answers written to the operation archive");
    }

    /// <summary>
    /// Journal entries of this silo's active wallets that Postgres does not hold yet. Read by the
    /// gauges on every scrape (the dashboard's every second), over every active wallet: enumerated
    /// in place, not through a copied key list.
    /// </summary>
    public long UnjournaledEntries
    {
        get
        {
            long total = 0;
            foreach (var (handle, _) in _active) total += handle.UnjournaledEntryCount;
            return total;
        }
    }

    private int RejectedWallets
    {
        get
        {
            var count = 0;
            foreach (var (handle, _) in _active)
                if (handle.Rejection is not null) count++;
            return count;
        }
    }

    /// <summary>One per wallet activation; dispose it when the activation ends.</summary>
    public WalletOutboxHandle Register(string userId)
    {
        var handle = new WalletOutboxHandle(userId, this);
        _active[handle] = 0;
        return handle;
    }

    internal void Signal(WalletOutboxHandle handle)
    {
        if (Interlocked.Exchange(ref handle.Queued, 1) == 0) _ready.Writer.TryWrite(handle);
    }

    internal void Forget(WalletOutboxHandle handle) => _active.TryRemove(handle, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var round = await NextRoundAsync(stoppingToken);
                var archiveFailed = await ArchiveAsync(round);
                await JournalAsync(round, stoppingToken);
                // Wallets that published more meanwhile go again; those whose archive write failed wait
                // for their next publish (Redis is down for their own writes too), so a Redis outage
                // cannot spin this loop.
                foreach (var handle in round)
                    if (!archiveFailed.Contains(handle) && !_waitingForJournal.Contains(handle) && handle.HasWork(handle.Snapshot))
                        Signal(handle);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A bug, not an outage (those are handled per step): keep the writer alive.
                LogRoundFailed(ex);
                await Task.Delay(JournalRetryDelayMin, _time, stoppingToken);
            }
        }
    }

    /// <summary>Waits for wallets with work: published ones, and those waiting for the journal once their retry is due.</summary>
    private async Task<List<WalletOutboxHandle>> NextRoundAsync(CancellationToken cancellationToken)
    {
        var round = new HashSet<WalletOutboxHandle>();
        while (true)
        {
            if (_waitingForJournal.Count > 0 && _time.GetUtcNow() >= _journalRetryAt)
            {
                round.UnionWith(_waitingForJournal.Where(h => !h.IsDisposed).Take(RoundWalletsMax));
                _waitingForJournal.ExceptWith(round);
                _waitingForJournal.RemoveWhere(h => h.IsDisposed);
                Volatile.Write(ref _waitingForJournalCount, _waitingForJournal.Count);
            }
            while (round.Count < RoundWalletsMax && _ready.Reader.TryRead(out var handle))
            {
                Volatile.Write(ref handle.Queued, 0);
                if (!handle.IsDisposed) round.Add(handle);
            }
            if (round.Count > 0) return round.ToList();

            var published = _ready.Reader.WaitToReadAsync(cancellationToken).AsTask();
            if (_waitingForJournal.Count == 0)
            {
                await published;
                continue;
            }
            var retryIn = _journalRetryAt - _time.GetUtcNow();
            if (retryIn > TimeSpan.Zero) await Task.WhenAny(published, Task.Delay(retryIn, _time, cancellationToken));
        }
    }

    /// <summary>Writes every wallet's new answers, one command per wallet, all in flight together; returns the wallets it failed for.</summary>
    private async Task<HashSet<WalletOutboxHandle>> ArchiveAsync(List<WalletOutboxHandle> round)
    {
        var failed = new HashSet<WalletOutboxHandle>();
        var writes = new List<(WalletOutboxHandle Handle, long Through, Task Write)>(round.Count);
        foreach (var handle in round)
        {
            var snapshot = handle.Snapshot;
            var from = handle.ArchivedThrough;
            if (snapshot.LastSequence <= from) continue;
            var records = snapshot.Records.Where(r => r.Sequence > from).ToList();
            var write = records.Count == 0 ? Task.CompletedTask : _archive.ArchiveAsync(handle.UserId, records);
            writes.Add((handle, snapshot.LastSequence, write));
            _archivedRecords.Add(records.Count);
        }
        foreach (var (handle, through, write) in writes)
        {
            try
            {
                await write;
                handle.Archived(through);
            }
            catch (Exception ex)
            {
                // Redis refused or is down: the answers stay in the wallet's state; retried on the wallet's next publish.
                LogArchiveFailed(ex, handle.UserId);
                failed.Add(handle);
            }
        }
        return failed;
    }

    private async Task JournalAsync(List<WalletOutboxHandle> round, CancellationToken cancellationToken)
    {
        var pending = round
            .Where(h => h.Rejection is null && !_waitingForJournal.Contains(h))
            .Select(h => new WalletWork(h, h.Snapshot, h.JournaledThrough))
            .Where(w => w.Snapshot.LastSequence > w.From)
            .ToList();
        if (pending.Count == 0) return;
        if (_waitingForJournal.Count > 0 && _time.GetUtcNow() < _journalRetryAt)
        {
            WaitForJournal(pending.Select(w => w.Handle), null);
            return;
        }

        foreach (var cut in JournalStatement.Cut(pending, StatementEntriesMax))
        {
            // A wallet refused in an earlier statement of this round must not have later operations
            // counted as journaled past the refused ones.
            var statement = cut.WithoutRejected();
            if (statement.Parts.Count == 0) continue;
            try
            {
                await AppendAsync(statement, cancellationToken);
            }
            catch (DependencyUnavailableException unavailable)
            {
                WaitForJournal(pending.Select(w => w.Handle), unavailable);
                return;
            }
            catch (Exception rejected) when (IsRejection(rejected))
            {
                await IsolateRejectedAsync(statement, cancellationToken);
            }
        }
        if (_journalOutageLogged)
        {
            LogJournalBack();
            _journalOutageLogged = false;
        }
        _journalRetryDelay = JournalRetryDelayMin;
    }

    /// <summary>Appends one statement's entries, then records the withdrawal statuses it covers, then reports progress.</summary>
    private async Task AppendAsync(JournalStatement statement, CancellationToken cancellationToken)
    {
        if (statement.Entries.Count > 0)
        {
            await _journal.AppendAsync(statement.Entries, cancellationToken);
            _statementEntries.Record(statement.Entries.Count);
        }
        foreach (var part in statement.Parts)
        {
            foreach (var update in part.StatusUpdates) await RecordWithdrawalStatusAsync(part.Handle.UserId, update, cancellationToken);
            part.Handle.Journaled(part.Through);
        }
    }

    /// <summary>
    /// One wallet's entries spoiled a shared statement: write each wallet's part alone, so the
    /// others go through and only the offending wallet is held back (and reported).
    /// </summary>
    private async Task IsolateRejectedAsync(JournalStatement statement, CancellationToken cancellationToken)
    {
        foreach (var part in statement.Parts)
        {
            try
            {
                await AppendAsync(JournalStatement.Of(part), cancellationToken);
            }
            catch (Exception rejected) when (IsRejection(rejected))
            {
                var reason = $"the journal refused this wallet's entries: {rejected.Message}";
                LogWalletRejected(rejected, part.Handle.UserId);
                part.Handle.Reject(reason);
            }
        }
    }

    private async Task RecordWithdrawalStatusAsync(string userId, WithdrawalStatusUpdate update, CancellationToken cancellationToken)
    {
        try
        {
            if (update.Completed) await _withdrawalPolicy.CompleteWithdrawalAsync(update.PolicyWithdrawalId, cancellationToken);
            else await _withdrawalPolicy.FailWithdrawalAsync(update.PolicyWithdrawalId, cancellationToken);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            // Never recorded (requested before the policy existed) or already final the other way:
            // retrying cannot change that, and the wallet's money state is already right.
            LogWithdrawalStatusDropped(ex, userId, update.PolicyWithdrawalId);
        }
    }

    private void WaitForJournal(IEnumerable<WalletOutboxHandle> handles, DependencyUnavailableException? reason)
    {
        foreach (var handle in handles)
        {
            _waitingForJournal.Add(handle);
            if (reason is not null) handle.JournalUnavailable(reason);
        }
        Volatile.Write(ref _waitingForJournalCount, _waitingForJournal.Count);
        if (reason is null) return;
        if (!_journalOutageLogged)
        {
            LogJournalUnavailable(reason.Reason, _waitingForJournal.Count);
            _journalOutageLogged = true;
        }
        _journalRetryAt = _time.GetUtcNow() + _journalRetryDelay;
        _journalRetryDelay = TimeSpan.FromTicks(Math.Min(_journalRetryDelay.Ticks * 2, JournalRetryDelayMax.Ticks));
    }

    /// <summary>Refusals that retrying cannot cure: the entries themselves are wrong.</summary>
    private static bool IsRejection(Exception ex) =>
        ex is LedgerEntryConflictException or UnbalancedOperationException or ArgumentException or Npgsql.PostgresException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ledger journal unavailable ({Reason}); {Wallets} wallets keep their entries until it is back")]
    private partial void LogJournalUnavailable(string reason, int wallets);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ledger journal reachable again; outboxes drain")]
    private partial void LogJournalBack();

    [LoggerMessage(Level = LogLevel.Error, Message = "Wallet {User}: the journal refused its entries; they stay in its outbox for an operator (reconcile reports it)")]
    private partial void LogWalletRejected(Exception exception, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wallet {User}: operation archive write failed; retried on its next change")]
    private partial void LogArchiveFailed(Exception exception, string user);

    [LoggerMessage(Level = LogLevel.Error, Message = "Wallet {User}: withdrawal {Id} status not recorded by the policy; dropped")]
    private partial void LogWithdrawalStatusDropped(Exception exception, string user, string id);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ledger outbox writer round failed")]
    private partial void LogRoundFailed(Exception exception);
}

/// <summary>One wallet's unjournaled outbox as the writer found it at the start of a round.</summary>
internal sealed record WalletWork(WalletOutboxHandle Handle, OutboxSnapshot Snapshot, long From);

/// <summary>
/// One journal statement: whole operations of one or more wallets, at most the statement bound.
/// Each wallet's part says how far that wallet is journaled once the statement is in.
/// </summary>
internal sealed class JournalStatement
{
    public List<LedgerEntry> Entries { get; } = [];
    public List<StatementPart> Parts { get; } = [];

    public JournalStatement WithoutRejected()
    {
        if (Parts.TrueForAll(p => p.Handle.Rejection is null)) return this;
        var kept = new JournalStatement();
        foreach (var part in Parts.Where(p => p.Handle.Rejection is null))
        {
            kept.Entries.AddRange(part.Entries);
            kept.Parts.Add(part);
        }
        return kept;
    }

    public static JournalStatement Of(StatementPart part)
    {
        var statement = new JournalStatement();
        statement.Entries.AddRange(part.Entries);
        statement.Parts.Add(part);
        return statement;
    }

    /// <summary>
    /// Cuts the wallets' pending entries into statements of at most <paramref name="entriesMax"/>
    /// entries, never splitting an operation (its entries share a sequence number and balance only
    /// together). A wallet with more than fits continues in the next statement.
    /// </summary>
    public static IEnumerable<JournalStatement> Cut(IReadOnlyList<WalletWork> work, int entriesMax)
    {
        var statement = new JournalStatement();
        foreach (var wallet in work)
        {
            var entries = wallet.Snapshot.Entries.Where(e => e.Sequence > wallet.From).ToList();
            var statuses = wallet.Snapshot.StatusUpdates.Where(u => u.Sequence > wallet.From).ToList();
            var start = 0;
            while (true)
            {
                var room = entriesMax - statement.Entries.Count;
                var end = CutEnd(entries, start, room);
                if (end == start && start < entries.Count)
                {
                    // Nothing of this wallet fits: close the statement and continue in a new one.
                    if (statement.Entries.Count == 0)
                        throw new InvalidOperationException($"one operation has more than {entriesMax} entries");
                    yield return statement;
                    statement = new JournalStatement();
                    continue;
                }
                var done = end == entries.Count;
                var through = done ? wallet.Snapshot.LastSequence : entries[end - 1].Sequence;
                var lastCovered = start == 0 ? wallet.From : entries[start - 1].Sequence;
                var part = new StatementPart(wallet.Handle,
                    entries.GetRange(start, end - start).Select(e => e.ToLedgerEntry()).ToList(),
                    statuses.Where(u => u.Sequence > lastCovered && u.Sequence <= through).ToList(),
                    through);
                statement.Entries.AddRange(part.Entries);
                statement.Parts.Add(part);
                if (done) break;
                start = end;
            }
        }
        if (statement.Parts.Count > 0) yield return statement;
    }

    /// <summary>The end (exclusive) of the longest run from <paramref name="start"/> of whole operations within <paramref name="room"/> entries.</summary>
    private static int CutEnd(List<LedgerOutboxEntry> entries, int start, int room)
    {
        if (entries.Count - start <= room) return entries.Count;
        var end = start + room;
        while (end > start && entries[end].Sequence == entries[end - 1].Sequence) end--;
        return end;
    }
}

internal sealed record StatementPart(
    WalletOutboxHandle Handle,
    IReadOnlyList<LedgerEntry> Entries,
    IReadOnlyList<WithdrawalStatusUpdate> StatusUpdates,
    long Through);
