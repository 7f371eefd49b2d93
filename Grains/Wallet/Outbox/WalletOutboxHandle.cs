namespace OrleansWallet.Wallet.Outbox;

/// <summary>
/// What one wallet activation shares with its silo's <see cref="LedgerOutboxWriter"/>: the wallet
/// publishes its committed state's outbox here after every successful write (never before, so
/// nothing leaves a wallet that its storage does not hold); the writer reports back how far it has
/// archived the answers and journaled the entries, and the wallet drops those in its next write.
/// Lock-free on the hot path: the published lists are never changed after publishing (the wallet
/// replaces its state, it does not mutate it), and the watermarks only grow.
/// </summary>
public sealed class WalletOutboxHandle : IDisposable
{
    private readonly LedgerOutboxWriter _writer;
    private readonly object _waitersLock = new();
    private readonly List<(long Sequence, TaskCompletionSource Done)> _waiters = [];
    private OutboxSnapshot _snapshot = OutboxSnapshot.Empty;
    private long _journaledThrough;
    private long _archivedThrough;
    private string? _rejection;

    /// <summary>1 while the handle sits in the writer's ready queue; the writer clears it when it takes the handle.</summary>
    internal int Queued;

    internal WalletOutboxHandle(string userId, LedgerOutboxWriter writer)
    {
        UserId = userId;
        _writer = writer;
    }

    public string UserId { get; }

    /// <summary>Every journal entry and withdrawal status of operations up to this sequence number is in Postgres.</summary>
    public long JournaledThrough => Volatile.Read(ref _journaledThrough);

    /// <summary>Every answer of operations up to this sequence number is in the operation archive.</summary>
    public long ArchivedThrough => Volatile.Read(ref _archivedThrough);

    /// <summary>Why the journal refused this wallet's entries for good (an operator must look), or null.</summary>
    public string? Rejection => Volatile.Read(ref _rejection);

    internal bool IsDisposed { get; private set; }

    internal OutboxSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Journal entries of the committed state that Postgres does not have yet.</summary>
    public IEnumerable<LedgerOutboxEntry> UnjournaledEntries
    {
        get
        {
            var journaled = JournaledThrough;
            return Snapshot.Entries.Where(e => e.Sequence > journaled);
        }
    }

    /// <summary>How many <see cref="UnjournaledEntries"/> there are; counted without allocating (the gauges read it often).</summary>
    public int UnjournaledEntryCount
    {
        get
        {
            var journaled = JournaledThrough;
            var entries = Snapshot.Entries;
            var count = 0;
            // Oldest first: the journaled prefix ends where the count starts.
            for (var i = entries.Count - 1; i >= 0 && entries[i].Sequence > journaled; i--) count++;
            return count;
        }
    }

    /// <summary>Called by the wallet after each successful write (and on activation) with the state now in storage.</summary>
    public void Publish(WalletState committed)
    {
        var snapshot = new OutboxSnapshot(committed.LedgerOutbox, committed.Unarchived, committed.WithdrawalStatusOutbox,
            committed.LastSequence);
        Volatile.Write(ref _snapshot, snapshot);
        if (HasWork(snapshot)) _writer.Signal(this);
    }

    /// <summary>Completes once Postgres holds everything up to <paramref name="sequence"/>; fails if the journal cannot take it now.</summary>
    public Task WaitJournaledAsync(long sequence)
    {
        if (JournaledThrough >= sequence) return Task.CompletedTask;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock) _waiters.Add((sequence, done));
        // Checked again after registering: the writer may have advanced in between.
        if (JournaledThrough >= sequence) CompleteWaiters(null);
        else _writer.Signal(this);
        return done.Task;
    }

    internal bool HasWork(OutboxSnapshot snapshot) =>
        !IsDisposed && (snapshot.LastSequence > ArchivedThrough || (Rejection is null && snapshot.LastSequence > JournaledThrough));

    internal void Archived(long sequence) => Advance(ref _archivedThrough, sequence);

    internal void Journaled(long sequence)
    {
        Advance(ref _journaledThrough, sequence);
        CompleteWaiters(null);
    }

    internal void Reject(string reason)
    {
        Volatile.Write(ref _rejection, reason);
        CompleteWaiters(new InvalidOperationException(reason));
    }

    /// <summary>The journal is unavailable now: whoever waits is told so instead of waiting out the outage.</summary>
    internal void JournalUnavailable(Exception reason) => CompleteWaiters(reason);

    private static void Advance(ref long watermark, long sequence)
    {
        var current = Volatile.Read(ref watermark);
        while (sequence > current)
        {
            var seen = Interlocked.CompareExchange(ref watermark, sequence, current);
            if (seen == current) return;
            current = seen;
        }
    }

    private void CompleteWaiters(Exception? failure)
    {
        List<TaskCompletionSource> done;
        lock (_waitersLock)
        {
            var journaled = JournaledThrough;
            done = _waiters.Where(w => failure is not null || w.Sequence <= journaled).Select(w => w.Done).ToList();
            _waiters.RemoveAll(w => failure is not null || w.Sequence <= journaled);
        }
        foreach (var waiter in done)
        {
            if (failure is null) waiter.TrySetResult();
            else waiter.TrySetException(failure);
        }
    }

    public void Dispose()
    {
        IsDisposed = true;
        _writer.Forget(this);
        CompleteWaiters(new ObjectDisposedException(nameof(WalletOutboxHandle), "the wallet was deactivated"));
    }
}

/// <summary>A wallet's committed outbox as published: immutable lists, oldest first.</summary>
internal sealed record OutboxSnapshot(
    IReadOnlyList<LedgerOutboxEntry> Entries,
    IReadOnlyList<OperationRecord> Records,
    IReadOnlyList<WithdrawalStatusUpdate> StatusUpdates,
    long LastSequence)
{
    public static readonly OutboxSnapshot Empty = new([], [], [], 0);
}
