using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// One partition's Orleans queue cache, indexed by stream: each stream's cursor steps through its own
/// events only. (Orleans' <c>SimpleQueueCache</c> has every cursor walk every cached event of the
/// partition, so delivery cost grows with the number of streams per partition.)
/// </summary>
/// <remarks>
/// Purging is what commits offsets, so it keeps the rule the receiver relies on: it removes events
/// oldest first and stops at the first one a cursor of its stream may still deliver (the event it is
/// on, or any after), so what it reports delivered is always a prefix of the partition. A stream with
/// no cursor (no subscriber yet, or none at all) does not hold its events, as in Orleans' own caches;
/// the pulling agent pins a new stream's first event with a cursor while it registers the stream.
/// With batch delivery (<see cref="KafkaStreamOptions.DeliveryBatchSize"/> > 1) the pulling agent
/// moves a cursor over a whole batch before delivering it, so a cursor holds every event of the batch
/// it last collected until the agent asks for the next one (which it does only after delivery).
/// Not thread-safe: the pulling agent of the partition is its only user.
/// </remarks>
internal sealed class KafkaQueueCache(int cacheSizeMessages, int deliveryBatchSize = 1) : IQueueCache
{
    private readonly LinkedList<Entry> _entries = new();
    private readonly Dictionary<StreamId, StreamEvents> _streams = new();
    private long _purgedOffsetMax = -1;

    private sealed class Entry(IBatchContainer batch, long offset, StreamEvents stream)
    {
        public IBatchContainer Batch { get; } = batch;
        public long Offset { get; } = offset;
        public StreamEvents Stream { get; } = stream;
        public Entry? NextInStream { get; set; }
        public bool Purged { get; set; }
    }

    private sealed class StreamEvents(StreamId streamId)
    {
        public StreamId StreamId { get; } = streamId;
        public Entry? Head { get; set; }
        public Entry? Tail { get; set; }
        public List<Cursor> Cursors { get; } = [];
    }

    public int Count => _entries.Count;

    /// <summary>
    /// Never 0: the pulling agent does not even purge when this is 0, so a full cache would never empty.
    /// Fullness is judged by <see cref="IsUnderPressure"/>, which the agent asks after purging; a read
    /// may so overshoot the size by at most this much.
    /// </summary>
    public int GetMaxAddCount() => Math.Max(1, cacheSizeMessages / AddCountDivisor);

    /// <summary>Reads add at most a tenth of the cache, as Orleans' own cache does.</summary>
    private const int AddCountDivisor = 10;

    public bool IsUnderPressure() => _entries.Count >= cacheSizeMessages;

    public void AddToCache(IList<IBatchContainer> messages)
    {
        foreach (var message in messages)
        {
            var stream = StreamOf(message.StreamId);
            var entry = new Entry(message, message.SequenceToken.SequenceNumber, stream);
            if (stream.Tail is { } tail)
            {
                tail.NextInStream = entry;
            }
            else
            {
                stream.Head = entry;
            }

            stream.Tail = entry;
            _entries.AddLast(entry);
        }
    }

    public bool TryPurgeFromCache(out IList<IBatchContainer> purgedItems)
    {
        List<IBatchContainer>? purged = null;
        while (_entries.First is { } first && !IsHeld(first.Value))
        {
            var entry = first.Value;
            _entries.RemoveFirst();
            entry.Purged = true;
            var stream = entry.Stream;
            stream.Head = entry.NextInStream;
            if (stream.Head is null)
            {
                stream.Tail = null;
                if (stream.Cursors.Count == 0)
                {
                    _streams.Remove(stream.StreamId);
                }
            }

            _purgedOffsetMax = entry.Offset;
            (purged ??= []).Add(entry.Batch);
        }

        purgedItems = purged!;
        return purged is not null;
    }

    private static bool IsHeld(Entry entry)
    {
        foreach (var cursor in entry.Stream.Cursors)
        {
            if (cursor.Holds(entry.Offset))
            {
                return true;
            }
        }

        return false;
    }

    public IQueueCacheCursor GetCacheCursor(StreamId streamId, StreamSequenceToken? token)
    {
        long start;
        if (token is null)
        {
            // As Orleans' caches do: from the newest cached event on (it included), or what comes next.
            start = _entries.Last is { } newest ? newest.Value.Offset : _purgedOffsetMax + 1;
        }
        else
        {
            start = token.SequenceNumber;
            if (_entries.First is { } oldest && start < oldest.Value.Offset && start <= _purgedOffsetMax)
            {
                // Events of this stream between the token and the cache may be gone: say so, as Orleans' caches do.
                throw new QueueCacheMissException(token, oldest.Value.Batch.SequenceToken, _entries.Last!.Value.Batch.SequenceToken);
            }
        }

        var cursor = new Cursor(this, StreamOf(streamId), start, Math.Max(1, deliveryBatchSize));
        cursor.Stream.Cursors.Add(cursor);
        return cursor;
    }

    private StreamEvents StreamOf(StreamId streamId)
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            stream = new StreamEvents(streamId);
            _streams[streamId] = stream;
        }

        return stream;
    }

    private void Release(Cursor cursor)
    {
        var stream = cursor.Stream;
        stream.Cursors.Remove(cursor);
        if (stream.Cursors.Count == 0 && stream.Head is null && _streams.TryGetValue(stream.StreamId, out var current) && ReferenceEquals(current, stream))
        {
            _streams.Remove(stream.StreamId);
        }
    }

    /// <summary>
    /// A stream's position in the cache: <see cref="Next"/> is the lowest offset it may still deliver.
    /// The pulling agent collects up to <c>batchSize</c> events with MoveNext, delivers them, then
    /// collects again; the events of the last collection are held until the next one starts (which
    /// means they were delivered, or given up on and dead-lettered).
    /// </summary>
    private sealed class Cursor(KafkaQueueCache cache, StreamEvents stream, long next, int batchSize) : IQueueCacheCursor
    {
        private Entry? _current;

        /// <summary>The last event returned; not held once the cursor moved past it, only a shortcut to its successor.</summary>
        private Entry? _last;

        /// <summary>Offset of the first event of the collection in flight, if any.</summary>
        private long? _collectionStart;
        private int _collected;
        private bool _collectionEnded;
        private bool _disposed;

        public StreamEvents Stream { get; } = stream;

        public long Next { get; private set; } = next;

        public bool Holds(long offset) => !_disposed && offset >= Math.Min(_collectionStart ?? Next, Next);

        public IBatchContainer? GetCurrent(out Exception? exception)
        {
            exception = null;
            return _current?.Batch;
        }

        public bool MoveNext()
        {
            if (_disposed)
            {
                return false;
            }

            if (_collectionEnded || _collected >= batchSize)
            {
                // The agent asks again only once the previous collection was delivered (or given up on).
                _collectionStart = null;
                _collected = 0;
                _collectionEnded = false;
            }

            // A stream's cached events are purged oldest first, so after the last one returned (if still
            // cached) comes its successor; otherwise the first cached event at or after Next.
            Entry? candidate;
            if (_last is { Purged: false } last)
            {
                candidate = last.NextInStream;
            }
            else
            {
                candidate = Stream.Head;
                while (candidate is not null && candidate.Offset < Next)
                {
                    candidate = candidate.NextInStream;
                }
            }

            _current = candidate;
            if (candidate is null)
            {
                // A collection cut short is about to be delivered: keep holding it until the next ask.
                _collectionEnded = _collected > 0;
                return false;
            }

            _collectionStart ??= candidate.Offset;
            _collected++;
            _last = candidate;
            Next = candidate.Offset + 1;
            return true;
        }

        // Next never moves back: the cursor goes on after what it delivered, and waits for the stream's new events.
        public void Refresh(StreamSequenceToken token)
        {
        }

        // The failure handler has dead-lettered the event by the time the cursor moves on.
        public void RecordDeliveryFailure()
        {
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _current = null;
            _last = null;
            _collectionStart = null;
            cache.Release(this);
        }
    }
}

/// <summary>Creates one <see cref="KafkaQueueCache"/> per partition queue.</summary>
internal sealed class KafkaQueueAdapterCache(int cacheSizeMessages, int deliveryBatchSize) : IQueueAdapterCache
{
    public IQueueCache CreateQueueCache(QueueId queueId) => new KafkaQueueCache(cacheSizeMessages, deliveryBatchSize);
}
