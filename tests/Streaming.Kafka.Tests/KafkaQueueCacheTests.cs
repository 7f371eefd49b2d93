// The cache implements the members the pulling agent reaches through the interface defaults (MoveNextWithResult, TryGetCacheCursor).
#pragma warning disable CS0618
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// The stream-indexed queue cache: each cursor sees its own stream's events in order, and purging
/// (which commits offsets) only ever reports a prefix of the partition that every cursor has passed.
/// </summary>
public sealed class KafkaQueueCacheTests
{
    private static readonly StreamId A = StreamId.Create("ns", "a");
    private static readonly StreamId B = StreamId.Create("ns", "b");

    private static IBatchContainer Event(StreamId stream, long offset) =>
        new KafkaBatchContainer(stream, offset, new EventSequenceTokenV2(offset));

    private static List<long> Drain(IQueueCacheCursor cursor)
    {
        var offsets = new List<long>();
        while (cursor.MoveNext())
        {
            offsets.Add(((KafkaBatchContainer)cursor.GetCurrent(out _)!).Offset);
        }

        return offsets;
    }

    private static List<long> Purge(KafkaQueueCache cache) =>
        cache.TryPurgeFromCache(out var purged) ? purged.Cast<KafkaBatchContainer>().Select(c => c.Offset).ToList() : [];

    [Fact]
    public void Each_cursor_steps_through_its_own_stream_in_order()
    {
        var cache = new KafkaQueueCache(100);
        var a = cache.GetCacheCursor(A, new EventSequenceTokenV2(0));
        var b = cache.GetCacheCursor(B, new EventSequenceTokenV2(0));
        cache.AddToCache([Event(A, 0), Event(B, 1), Event(A, 2), Event(B, 3), Event(A, 4)]);
        Assert.Equal([0, 2, 4], Drain(a));
        Assert.Equal([1, 3], Drain(b));

        cache.AddToCache([Event(B, 5), Event(A, 6)]);
        Assert.Equal([6], Drain(a));
        Assert.Equal([5], Drain(b));
    }

    [Fact]
    public void Purging_stops_at_the_first_event_a_cursor_may_still_deliver()
    {
        var cache = new KafkaQueueCache(100);
        var a = cache.GetCacheCursor(A, new EventSequenceTokenV2(0));
        var b = cache.GetCacheCursor(B, new EventSequenceTokenV2(0));
        cache.AddToCache([Event(A, 0), Event(B, 1), Event(A, 2), Event(B, 3)]);
        Assert.Empty(Purge(cache));

        Assert.True(a.MoveNext());            // a on 0: being delivered, held
        Assert.Empty(Purge(cache));
        Assert.True(a.MoveNext());            // a on 2: 0 is passed
        Assert.Equal([0], Purge(cache));
        Assert.Empty(Purge(cache));           // 1 waits for b, so 2 and 3 wait behind it
        Assert.True(b.MoveNext());            // b on 1: being delivered
        Assert.Empty(Purge(cache));
        Assert.True(b.MoveNext());            // b on 3: 1 passed; 2 is a's current
        Assert.Equal([1], Purge(cache));
        Assert.False(a.MoveNext());           // a delivered 2
        Assert.Equal([2], Purge(cache));
        Assert.False(b.MoveNext());
        Assert.Equal([3], Purge(cache));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Events_of_a_stream_without_a_cursor_do_not_hold_the_cache_and_a_disposed_cursor_releases()
    {
        var cache = new KafkaQueueCache(100);
        var b = cache.GetCacheCursor(B, new EventSequenceTokenV2(2));
        cache.AddToCache([Event(A, 0), Event(A, 1), Event(B, 2), Event(A, 3)]);
        Assert.Equal([0, 1], Purge(cache));
        b.Dispose();
        Assert.Equal([2, 3], Purge(cache));
    }

    [Fact]
    public void A_cursor_without_a_token_starts_at_the_newest_event_and_an_evicted_token_is_a_cache_miss()
    {
        var cache = new KafkaQueueCache(100);
        cache.AddToCache([Event(A, 0), Event(A, 1)]);
        Assert.Equal([0, 1], Purge(cache));
        cache.AddToCache([Event(A, 2), Event(A, 3)]);
        Assert.Equal([3], Drain(cache.GetCacheCursor(A, null)));
        Assert.Throws<QueueCacheMissException>(() => cache.GetCacheCursor(A, new EventSequenceTokenV2(1)));
        Assert.Equal([2, 3], Drain(cache.GetCacheCursor(A, new EventSequenceTokenV2(2))));
    }

    [Fact]
    public void The_cache_is_under_pressure_when_full_yet_always_lets_the_agent_read_and_so_purge()
    {
        var cache = new KafkaQueueCache(30);
        var a = cache.GetCacheCursor(A, new EventSequenceTokenV2(0));
        cache.AddToCache(Enumerable.Range(0, 29).Select(i => Event(A, i)).ToList());
        Assert.False(cache.IsUnderPressure());
        cache.AddToCache([Event(A, 29)]);
        Assert.True(cache.IsUnderPressure());
        // The pulling agent does not call ReadFromQueue (where it purges) when this is 0.
        Assert.Equal(3, cache.GetMaxAddCount());
        Assert.Equal(30, Drain(a).Count);
        Assert.Equal(30, Purge(cache).Count);
        Assert.False(cache.IsUnderPressure());
    }

    [Fact]
    public void With_batch_delivery_a_collected_batch_is_held_until_the_agent_asks_for_the_next()
    {
        var cache = new KafkaQueueCache(100, deliveryBatchSize: 2);
        var a = cache.GetCacheCursor(A, new EventSequenceTokenV2(0));
        cache.AddToCache([Event(A, 0), Event(A, 1), Event(A, 2)]);

        Assert.True(a.MoveNext());            // the agent collects 0 and 1, then delivers them
        Assert.True(a.MoveNext());
        Assert.Empty(Purge(cache));           // 0 is passed by the cursor, but its batch is in flight
        Assert.True(a.MoveNext());            // next collection: 0 and 1 were delivered
        Assert.Equal([0, 1], Purge(cache));
        Assert.False(a.MoveNext());           // collection cut short: [2] is about to be delivered
        Assert.Empty(Purge(cache));
        Assert.False(a.MoveNext());           // asked again: [2] was delivered
        Assert.Equal([2], Purge(cache));
    }
}
