namespace OrleansWallet.Streaming.Kafka.Benchmark;

/// <summary>Delivery latencies in microseconds; fixed capacity so the benchmark cannot grow without bound.</summary>
public static class LatencyLog
{
    private static long[] _latenciesUs = [];
    private static int _count;

    public static int Count => Volatile.Read(ref _count);

    public static void Reset(int capacity)
    {
        _latenciesUs = new long[capacity];
        _count = 0;
    }

    public static void Record(TimeSpan latency)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        if (index < _latenciesUs.Length)
        {
            _latenciesUs[index] = (long)(latency.TotalMicroseconds);
        }
    }

    public static double PercentileMs(double percentile)
    {
        var count = Math.Min(Count, _latenciesUs.Length);
        var sorted = _latenciesUs[..count];
        Array.Sort(sorted);
        var index = Math.Clamp((int)Math.Ceiling(percentile / 100 * count) - 1, 0, count - 1);
        return sorted[index] / 1000.0;
    }
}
