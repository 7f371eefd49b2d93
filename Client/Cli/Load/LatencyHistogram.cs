namespace OrleansWallet.Cli.Load;

/// <summary>
/// Latencies in microseconds in fixed log-linear buckets (HdrHistogram's layout): exact below
/// 128 µs, then 64 buckets per power of two, so any value is known within 1/64 (1.6 %). Fixed
/// size (12.8 KB) however long the run: a million samples cost no more than ten.
/// <see cref="Record"/> is safe from many threads at once (one interlocked add per bucket);
/// the other members are for one reader at a time.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Values below this are their own bucket.</summary>
    private const int ExactCount = 128;

    /// <summary>Buckets per power of two above <see cref="ExactCount"/>: the precision (1/64).</summary>
    private const int SubBucketCount = 64;

    /// <summary>
    /// 2^30 µs ≈ 18 min: far above any call deadline (10 s by default), so only a stalled
    /// process could exceed it; such a value is counted in the last bucket, never dropped.
    /// </summary>
    public const long ValueMaxUs = (1L << 30) - 1;

    public static readonly int BucketCount = IndexOf(ValueMaxUs) + 1;

    private readonly long[] _counts = new long[BucketCount];
    private long _total;
    private long _sumUs;
    private long _maxUs;

    public long Count => Volatile.Read(ref _total);

    public long MaxUs => Volatile.Read(ref _maxUs);

    public double MeanUs => Count == 0 ? 0 : (double)Volatile.Read(ref _sumUs) / Count;

    public void Record(long valueUs)
    {
        if (valueUs < 0) valueUs = 0;
        if (valueUs > ValueMaxUs) valueUs = ValueMaxUs;
        Interlocked.Increment(ref _counts[IndexOf(valueUs)]);
        Interlocked.Increment(ref _total);
        Interlocked.Add(ref _sumUs, valueUs);
        var max = Volatile.Read(ref _maxUs);
        while (valueUs > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxUs, valueUs, max);
            if (seen == max) break;
            max = seen;
        }
    }

    /// <summary>
    /// The value at quantile <paramref name="q"/> (0..1): the highest value of the bucket that holds
    /// the sample of that rank, so a percentile is never reported lower than it was (by at most 1.6 %
    /// higher). 0 when empty.
    /// </summary>
    public long PercentileUs(double q)
    {
        if (q is < 0 or > 1 || double.IsNaN(q)) throw new ArgumentOutOfRangeException(nameof(q), q, "a quantile is between 0 and 1");
        var total = Count;
        if (total == 0) return 0;
        var rank = Math.Max(1, (long)Math.Ceiling(q * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank) return Math.Min(UpperBoundUs(i), MaxUs);
        }
        return MaxUs;
    }

    /// <summary>Adds <paramref name="other"/>'s samples to this one (other is unchanged).</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++) _counts[i] += Volatile.Read(ref other._counts[i]);
        _total += other.Count;
        _sumUs += Volatile.Read(ref other._sumUs);
        _maxUs = Math.Max(_maxUs, other.MaxUs);
    }

    /// <summary>
    /// Moves every sample of this histogram into <paramref name="target"/> and leaves this one empty.
    /// Safe while other threads still <see cref="Record"/> here: each sample lands in exactly one of the two.
    /// </summary>
    public void DrainInto(LatencyHistogram target)
    {
        long moved = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            var c = Interlocked.Exchange(ref _counts[i], 0);
            target._counts[i] += c;
            moved += c;
        }
        // Counts, sum and max are exchanged one after another: a sample recorded in between may
        // show in one period's count and the next's sum, which moves a mean by a hair, never a count.
        Interlocked.Add(ref _total, -moved);
        target._total += moved;
        target._sumUs += Interlocked.Exchange(ref _sumUs, 0);
        target._maxUs = Math.Max(target._maxUs, Interlocked.Exchange(ref _maxUs, 0));
    }

    public void Clear()
    {
        Array.Clear(_counts);
        _total = 0;
        _sumUs = 0;
        _maxUs = 0;
    }

    public static int IndexOf(long valueUs)
    {
        if (valueUs < ExactCount) return (int)valueUs;
        var msb = 63 - (int)long.LeadingZeroCount(valueUs);          // ≥ 7
        var shift = msb - 6;                                    // keeps the 7 top bits: 64..127
        var top = (int)(valueUs >> shift);
        return ExactCount + (shift - 1) * SubBucketCount + (top - SubBucketCount);
    }

    public static long LowerBoundUs(int index)
    {
        if (index < ExactCount) return index;
        var j = index - ExactCount;
        var shift = j / SubBucketCount + 1;
        var top = (long)(j % SubBucketCount + SubBucketCount);
        return top << shift;
    }

    public static long UpperBoundUs(int index) =>
        index < ExactCount ? index : LowerBoundUs(index) + (1L << ((index - ExactCount) / SubBucketCount + 1)) - 1;
}
