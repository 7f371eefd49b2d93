using System.Diagnostics;

namespace OrleansWallet.Cli.Tests;

public sealed class PhaseRecorderTests
{
    private static readonly long Second = Stopwatch.Frequency;

    [Fact]
    public void Samples_land_in_the_second_they_completed_and_totals_add_up()
    {
        var recorder = new PhaseRecorder("measured", startTicks: 1_000);
        recorder.Record(CallKind.Deposit, 2_000, 1_000 + Second / 2, OutcomeClass.Ok);
        recorder.Record(CallKind.Deposit, 4_000, 1_000 + Second / 2, OutcomeClass.Ok);
        recorder.Record(CallKind.Transfer, 10_000, 1_000 + Second + 5, OutcomeClass.Refused);
        recorder.RecordFailure(CallKind.Transfer, "FailedPrecondition/insufficient_funds");
        recorder.RecordBatch(CallKind.TransferBatch, 50_000, 1_000 + 2 * Second + 5, [97, 1, 1, 1, 0]);

        var first = recorder.CloseSecond(0);
        Assert.Equal(2, first.Ops);
        Assert.Equal(2, first.Ok);
        Assert.Equal(2, first.OpsByKind["deposit"]);
        Assert.InRange(first.P50Ms, 2.0, 2.1);
        Assert.InRange(first.P99Ms, 4.0, 4.1);

        recorder.Finish(1_000 + 2 * Second + Second / 4);
        Assert.Equal(3, recorder.Series.Count);
        var second = recorder.Series[1];
        Assert.Equal(1, second.Refused);
        var last = recorder.Series[2];
        Assert.Equal(0.25, last.Seconds, 3);
        Assert.Equal(100, last.Ops);
        Assert.Equal(1, last.Calls);
        Assert.Equal(1, last.Unavailable);
        Assert.Equal(1, last.Timeouts);
        Assert.Equal(400, last.OpsPerSecond, 3);

        var batch = recorder.Totals(CallKind.TransferBatch);
        Assert.Equal(1, batch.Calls);
        Assert.Equal(100, batch.Operations);
        Assert.Equal(97, batch.Ok);
        Assert.Equal(4, recorder.TotalLatency.Count);
        var failure = Assert.Single(recorder.Failures());
        Assert.Equal((CallKind.Transfer, "FailedPrecondition/insufficient_funds", 1L), failure);
    }

    [Fact]
    public void Empty_seconds_get_a_point_and_a_late_sample_joins_the_next_open_second()
    {
        var recorder = new PhaseRecorder("p", 0);
        recorder.Record(CallKind.Read, 100, 0, OutcomeClass.Ok);
        recorder.CloseSecond(2);   // seconds 0, 1 and 2: nothing completed in 1 and 2
        Assert.Equal(3, recorder.Series.Count);
        Assert.Equal([1L, 0L, 0L], recorder.Series.Select(p => p.Ops));
        // Completed in second 1 (already closed): counted in second 3, never lost.
        recorder.Record(CallKind.Read, 100, Second + 1, OutcomeClass.Ok);
        recorder.Finish(3 * Second + Second / 2);
        Assert.Equal(2, recorder.Series.Sum(p => p.Ops));
        Assert.Equal(1, recorder.Series[3].Ops);
        Assert.Throws<InvalidOperationException>(() => recorder.CloseSecond(1));
    }

    [Fact]
    public void The_setup_counts_its_funding_deposits_as_operations_in_totals_and_series_alike()
    {
        var recorder = new PhaseRecorder("setup", 0);
        recorder.Record(CallKind.Fund, 100, 10, OutcomeClass.Ok);
        recorder.Finish(Second / 2);
        Assert.Equal(1, recorder.Totals(CallKind.Fund).Operations);
        Assert.Equal(1, recorder.Series[0].Calls);
        Assert.Equal(1, recorder.Series[0].Ops);
        Assert.Equal(1, recorder.Series[0].OpsByKind["fund"]);
    }

    [Fact]
    public async Task A_switch_waits_for_recorders_still_inside_the_old_phase()
    {
        var first = new PhaseRecorder("a", 0);
        var second = new PhaseRecorder("b", 0);
        var recorders = new RecorderSwitch(first);
        var inside = recorders.Enter();
        Assert.Same(first, inside);
        var switching = recorders.SwitchAsync(second);
        await Task.Delay(50);
        Assert.False(switching.IsCompleted);
        Assert.Same(second, recorders.Current);
        RecorderSwitch.Exit(inside);
        Assert.Same(first, await switching);
        var next = recorders.Enter();
        Assert.Same(second, next);
        RecorderSwitch.Exit(next);
    }

    [Fact]
    public void Throughput_trend_compares_the_first_and_last_tenth_of_whole_seconds()
    {
        var series = new List<SeriesPoint>();
        for (var i = 0; i < 20; i++) series.Add(new SeriesPoint { T = i, Ops = i < 10 ? 100 : 80 });
        series.Add(new SeriesPoint { T = 20, Seconds = 0.1, Ops = 1 });   // the partial last second is left out
        var trend = ThroughputTrend.Of(series);
        Assert.Equal(100, trend.StartPerSecond);
        Assert.Equal(80, trend.EndPerSecond);
        Assert.Equal(-20, trend.ChangePct);
        Assert.Null(ThroughputTrend.Of([new SeriesPoint { Ops = 5 }]).ChangePct);
    }
}
