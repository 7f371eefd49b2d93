using System.Diagnostics;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Ledger.Resilience;
using OrleansWallet.TestSupport;
using Xunit.Abstractions;

namespace OrleansWallet.Ledger.Tests;

/// <summary>Its own cluster, since it stops it; the other tests share theirs.</summary>
public class PostgresOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PollDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FailFastLatencyMax = TimeSpan.FromMilliseconds(100);
    private const int OpenCircuitCalls = 200;

    private PostgresServer _server = null!;
    private LedgerHost _ledger = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartNewAsync();
        var connectionString = await _server.CreateDatabaseAsync("outage");
        // The guide's breaker (50% of at least 10 calls in 10 s) with a short break and timeout so the test is quick.
        _ledger = await LedgerHost.StartAsync(connectionString, resilience: r =>
        {
            r.Postgres.BreakDuration = BreakDuration;
            r.Postgres.Timeout = TimeSpan.FromSeconds(1);
            r.Postgres.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
        });
    }

    public async Task DisposeAsync()
    {
        await _ledger.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Breaker_opens_when_postgres_stops_fails_fast_while_open_and_closes_after_it_returns()
    {
        var at = DateTimeOffset.UtcNow;
        Assert.Equal(2, await _ledger.Journal.AppendAsync(LedgerMovements.Deposit("dep:before", "alice", "ETH", 5, at)));
        Assert.Equal(BreakerState.Closed, _ledger.Pipelines.GetBreakerState(DependencyNames.Postgres));

        using var metrics = new MetricsProbe(_ledger.Services);
        Assert.Equal((int)BreakerState.Closed, metrics.Gauge("ledger.breaker.state", DependencyNames.Postgres));
        await _server.StopAsync();
        var stopped = Stopwatch.StartNew();
        while (_ledger.Pipelines.GetBreakerState(DependencyNames.Postgres) != BreakerState.Open)
        {
            Assert.True(stopped.Elapsed < PollDeadline, "breaker did not open");
            var failure = await Assert.ThrowsAsync<DependencyUnavailableException>(() => _ledger.Journal.GetBalancesFromLedgerAsync("alice"));
            Assert.Equal(DependencyNames.Postgres, failure.Dependency);
        }
        output.WriteLine($"breaker opened {stopped.ElapsedMilliseconds} ms after the stop");
        Assert.Equal((int)BreakerState.Open, metrics.Gauge("ledger.breaker.state", DependencyNames.Postgres));
        Assert.True(metrics.Count("ledger.dependency.retries", DependencyNames.Postgres) > 0, "connection failures are transient and retried");

        var latencies = new List<TimeSpan>(OpenCircuitCalls);
        for (var i = 0; i < OpenCircuitCalls; i++)
        {
            var call = Stopwatch.StartNew();
            var failure = await Assert.ThrowsAsync<DependencyUnavailableException>(() =>
                _ledger.Journal.AppendAsync(LedgerMovements.Deposit($"dep:during:{i}", "alice", "ETH", 5, at)));
            latencies.Add(call.Elapsed);
            Assert.Equal(DependencyUnavailableException.Reasons.CircuitOpen, failure.Reason);
        }
        latencies.Sort();
        var median = latencies[latencies.Count / 2];
        output.WriteLine($"open-circuit calls: median {median.TotalMicroseconds:F0} µs, max {latencies[^1].TotalMicroseconds:F0} µs over {OpenCircuitCalls} calls");
        Assert.True(median < FailFastLatencyMax / 10, $"median {median.TotalMilliseconds} ms");
        Assert.True(latencies[^1] < FailFastLatencyMax, $"slowest {latencies[^1].TotalMilliseconds} ms");

        await _server.StartAsync();
        var restarted = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(restarted.Elapsed < PollDeadline, "calls did not succeed again after postgres returned");
            try
            {
                await _ledger.Journal.AppendAsync(LedgerMovements.Deposit("dep:after", "alice", "ETH", 7, at));
                break;
            }
            catch (DependencyUnavailableException)
            {
                await Task.Delay(100); // the breaker lets a probe through only after its break
            }
        }
        output.WriteLine($"first success {restarted.ElapsedMilliseconds} ms after postgres started again");
        Assert.Equal(BreakerState.Closed, _ledger.Pipelines.GetBreakerState(DependencyNames.Postgres));
        Assert.Equal((int)BreakerState.Closed, metrics.Gauge("ledger.breaker.state", DependencyNames.Postgres));

        var balances = await _ledger.Journal.GetBalancesFromLedgerAsync("alice");
        Assert.Equal(12, (int)balances.Single(b => b.Bucket == LedgerBucket.Available).Amount);
    }
}
