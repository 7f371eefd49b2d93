using Npgsql;
using OrleansWallet.Ledger.Resilience;

namespace OrleansWallet.Ledger.Tests;

[Collection(PostgresCollection.Name)]
public class NonTransientFailureTests(PostgresFixture postgres) : IAsyncLifetime
{
    private LedgerHost _ledger = null!;

    public async Task InitializeAsync() => _ledger = await LedgerHost.StartAsync(await postgres.NewDatabaseAsync());
    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task Constraint_violations_surface_unchanged_are_not_retried_and_never_open_the_breaker()
    {
        using var metrics = new MetricsProbe(_ledger.Services);
        // Twice the breaker's minimum throughput, all failing: were they counted, it would open.
        for (var i = 0; i < 20; i++)
        {
            var error = await Assert.ThrowsAsync<PostgresException>(() => _ledger.Reference.SetTierLimitAsync(1, "NOPE", 5));
            Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
        }
        Assert.Equal(BreakerState.Closed, _ledger.Pipelines.GetBreakerState(DependencyNames.Postgres));
        Assert.Equal(0, metrics.Count("ledger.dependency.retries", DependencyNames.Postgres));
        Assert.Equal(20, metrics.Count("ledger.dependency.duration", DependencyNames.Postgres));
    }
}
