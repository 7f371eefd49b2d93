namespace OrleansWallet.Cli.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Buckets_are_contiguous_and_each_value_lies_in_its_own_bucket()
    {
        for (var i = 0; i < LatencyHistogram.BucketCount - 1; i++)
            Assert.Equal(LatencyHistogram.UpperBoundUs(i) + 1, LatencyHistogram.LowerBoundUs(i + 1));
        foreach (var v in new long[] { 0, 1, 127, 128, 129, 255, 256, 1_000, 12_345, 999_999, 10_000_000, LatencyHistogram.ValueMaxUs })
        {
            var i = LatencyHistogram.IndexOf(v);
            Assert.InRange(v, LatencyHistogram.LowerBoundUs(i), LatencyHistogram.UpperBoundUs(i));
        }
    }

    [Fact]
    public void Every_bucket_is_narrower_than_one_sixty_fourth_of_its_values()
    {
        for (var i = 128; i < LatencyHistogram.BucketCount; i++)
        {
            var width = LatencyHistogram.UpperBoundUs(i) - LatencyHistogram.LowerBoundUs(i) + 1;
            Assert.True(width * 64 <= LatencyHistogram.LowerBoundUs(i), $"bucket {i}: width {width} at {LatencyHistogram.LowerBoundUs(i)}");
        }
    }

    [Fact]
    public void Values_below_128_us_are_exact()
    {
        var h = new LatencyHistogram();
        for (var v = 1; v <= 100; v++) h.Record(v);
        Assert.Equal(50, h.PercentileUs(0.50));
        Assert.Equal(99, h.PercentileUs(0.99));
        Assert.Equal(100, h.PercentileUs(1.0));
        Assert.Equal(1, h.PercentileUs(0.0));
        Assert.Equal(50.5, h.MeanUs, 3);
    }

    [Fact]
    public void Percentiles_of_a_uniform_spread_are_within_the_precision_and_never_below_the_truth()
    {
        var h = new LatencyHistogram();
        for (var v = 1; v <= 100_000; v++) h.Record(v);   // 1 µs .. 100 ms
        foreach (var (q, exact) in new[] { (0.5, 50_000L), (0.9, 90_000L), (0.99, 99_000L), (0.999, 99_900L) })
        {
            var reported = h.PercentileUs(q);
            Assert.True(reported >= exact, $"p{q * 100} reported {reported} below {exact}");
            Assert.True(reported <= exact * (1 + 1.0 / 64), $"p{q * 100} reported {reported}, more than 1/64 above {exact}");
        }
        Assert.Equal(100_000, h.MaxUs);
        Assert.Equal(100_000, h.Count);
    }

    [Fact]
    public void Out_of_range_values_are_clamped_not_dropped()
    {
        var h = new LatencyHistogram();
        h.Record(-5);
        h.Record(long.MaxValue);
        Assert.Equal(2, h.Count);
        Assert.Equal(0, h.PercentileUs(0.5));
        Assert.Equal(LatencyHistogram.ValueMaxUs, h.MaxUs);
    }

    [Fact]
    public void Empty_histogram_reports_zero_and_bad_quantiles_are_refused()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.PercentileUs(0.99));
        Assert.Equal(0, h.MeanUs);
        Assert.Throws<ArgumentOutOfRangeException>(() => h.PercentileUs(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => h.PercentileUs(double.NaN));
    }

    [Fact]
    public void Drain_moves_every_sample_and_add_merges()
    {
        var a = new LatencyHistogram();
        for (var v = 1; v <= 1_000; v++) a.Record(v * 10);
        var target = new LatencyHistogram();
        a.DrainInto(target);
        Assert.Equal(0, a.Count);
        Assert.Equal(0, a.MaxUs);
        Assert.Equal(1_000, target.Count);
        Assert.Equal(10_000, target.MaxUs);
        var merged = new LatencyHistogram();
        merged.Add(target);
        merged.Add(target);
        Assert.Equal(2_000, merged.Count);
        Assert.Equal(target.PercentileUs(0.5), merged.PercentileUs(0.5));
    }

    [Fact]
    public async Task Concurrent_records_are_all_counted_even_while_draining()
    {
        var h = new LatencyHistogram();
        var drained = new LatencyHistogram();
        const int threads = 4, perThread = 50_000;
        using var stop = new CancellationTokenSource();
        var drainer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) h.DrainInto(drained);
        });
        await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < perThread; i++) h.Record(i % 5_000);
        })));
        await stop.CancelAsync();
        await drainer;
        h.DrainInto(drained);
        Assert.Equal(threads * perThread, drained.Count);
    }
}
