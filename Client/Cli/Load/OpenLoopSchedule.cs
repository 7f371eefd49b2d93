namespace OrleansWallet.Cli.Load;

/// <summary>
/// When each operation of an open-loop run is meant to start: operation i at
/// <c>start + i / rate</c>, evenly spaced, whatever the service does. Latency is measured from
/// this intended time, not from when the call actually left, so a stall of the service (or of
/// the generator) shows as the latency every waiting caller would have seen: no coordinated omission.
/// Times are <see cref="System.Diagnostics.Stopwatch"/> ticks.
/// </summary>
public sealed class OpenLoopSchedule
{
    private readonly long _startTicks;
    private readonly long _tickFrequency;

    public OpenLoopSchedule(long startTicks, double ratePerSecond, long tickFrequency)
    {
        if (!(ratePerSecond > 0) || double.IsInfinity(ratePerSecond))
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "the rate must be a positive number of operations per second");
        if (tickFrequency <= 0) throw new ArgumentOutOfRangeException(nameof(tickFrequency));
        _startTicks = startTicks;
        RatePerSecond = ratePerSecond;
        _tickFrequency = tickFrequency;
    }

    public double RatePerSecond { get; }

    /// <summary>The intended start of operation <paramref name="index"/> (from 0).</summary>
    /// <remarks>Computed from the index each time (never by adding a spacing up), so rounding cannot accumulate into drift.</remarks>
    public long IntendedTicks(long index) => _startTicks + (long)Math.Round((double)index * _tickFrequency / RatePerSecond);

    /// <summary>How many operations should have started by <paramref name="nowTicks"/> (operations 0 .. n-1).</summary>
    public long DueCount(long nowTicks)
    {
        if (nowTicks < _startTicks) return 0;
        return (long)Math.Floor((double)(nowTicks - _startTicks) * RatePerSecond / _tickFrequency) + 1;
    }

    /// <summary>Ticks from <paramref name="nowTicks"/> until operation <paramref name="index"/> is due (0 if due already).</summary>
    public long TicksUntil(long index, long nowTicks) => Math.Max(0, IntendedTicks(index) - nowTicks);
}
