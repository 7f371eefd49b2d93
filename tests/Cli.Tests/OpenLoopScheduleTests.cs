namespace OrleansWallet.Cli.Tests;

public sealed class OpenLoopScheduleTests
{
    private const long Frequency = 1_000_000;   // ticks of 1 µs keep the arithmetic readable

    [Fact]
    public void Operations_are_evenly_spaced_from_the_start_whatever_happens_meanwhile()
    {
        var schedule = new OpenLoopSchedule(startTicks: 5_000, ratePerSecond: 1_000, Frequency);
        Assert.Equal(5_000, schedule.IntendedTicks(0));
        Assert.Equal(6_000, schedule.IntendedTicks(1));
        Assert.Equal(5_000 + 999_000, schedule.IntendedTicks(999));
        // Fractional spacing does not drift: the 3,000th operation at 3,000/s is due exactly 1 s in.
        var odd = new OpenLoopSchedule(0, 3_000, Frequency);
        Assert.Equal(1_000_000, odd.IntendedTicks(3_000));
    }

    [Fact]
    public void Due_count_says_how_many_should_have_started()
    {
        var schedule = new OpenLoopSchedule(10_000, 100, Frequency);   // one every 10 ms
        Assert.Equal(0, schedule.DueCount(9_999));
        Assert.Equal(1, schedule.DueCount(10_000));
        Assert.Equal(1, schedule.DueCount(19_999));
        Assert.Equal(2, schedule.DueCount(20_000));
        // A generator that stalled for a second owes every operation of that second at once.
        Assert.Equal(101, schedule.DueCount(1_010_000));
        Assert.Equal(0, schedule.TicksUntil(3, 50_000));
        Assert.Equal(5_000, schedule.TicksUntil(5, 55_000));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_rate_must_be_positive(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpenLoopSchedule(0, rate, Frequency));
}
