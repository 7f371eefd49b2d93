using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansWallet.Ledger.Hosting;
using OrleansWallet.Ledger.Postgres;
using OrleansWallet.Ledger.Reference;
using OrleansWallet.Ledger.Resilience;

namespace OrleansWallet.Ledger.Tests;

public class OptionsValidationTests
{
    private const string GoodConnection = "Host=127.0.0.1;Port=5432;Username=postgres;Database=wallet";

    private static OptionsValidationException Fails<TOptions>(Action<PostgresOptions> postgres,
        Action<ReferenceCacheOptions>? cache = null, Action<ResilienceOptions>? resilience = null) where TOptions : class
    {
        var services = new ServiceCollection().AddLedger(
            p => { p.ConnectionString = GoodConnection; postgres(p); },
            c => { c.RedisConfiguration = "127.0.0.1:6379"; cache?.Invoke(c); },
            resilience);
        using var provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TOptions>>().Value);
    }

    [Fact]
    public void Defaults_are_the_documented_ones_and_valid()
    {
        var services = new ServiceCollection().AddLedger(p => p.ConnectionString = GoodConnection, c => c.RedisConfiguration = "x:1");
        using var provider = services.BuildServiceProvider();
        var postgres = provider.GetRequiredService<IOptions<PostgresOptions>>().Value;
        Assert.Equal((20, 2, 300, 3), (postgres.MaximumPoolSize, postgres.MinimumPoolSize, postgres.ConnectionLifetimeSeconds, postgres.CommandTimeoutSeconds));
        var breaker = provider.GetRequiredService<IOptions<ResilienceOptions>>().Value.Postgres;
        Assert.Equal((TimeSpan.FromSeconds(3), 3, 0.5, 10, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)),
            (breaker.Timeout, breaker.RetryCount, breaker.FailureRatio, breaker.MinimumThroughput, breaker.SamplingDuration, breaker.BreakDuration));
        var cache = provider.GetRequiredService<IOptions<ReferenceCacheOptions>>().Value;
        Assert.Equal((TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromHours(24)), (cache.VolatileTtl, cache.StableTtl, cache.ReferenceTtl));
    }

    [Fact]
    public void The_data_source_gets_the_pool_settings_from_the_options()
    {
        var dataSource = LedgerDataSource.Create(new PostgresOptions { ConnectionString = GoodConnection, MaximumPoolSize = 40, MinimumPoolSize = 4 });
        Assert.Contains("Maximum Pool Size=40", dataSource.ConnectionString);
        Assert.Contains("Minimum Pool Size=4", dataSource.ConnectionString);
        Assert.Contains("Command Timeout=3", dataSource.ConnectionString);
        Assert.Contains("Connection Lifetime=300", dataSource.ConnectionString);
    }

    [Theory]
    [InlineData("MaximumPoolSize")]
    [InlineData("CommandTimeoutSeconds")]
    [InlineData("ConnectionLifetimeSeconds")]
    public void Out_of_range_postgres_values_name_the_field(string field)
    {
        var error = Fails<PostgresOptions>(p =>
        {
            if (field == "MaximumPoolSize") p.MaximumPoolSize = 0;
            if (field == "CommandTimeoutSeconds") p.CommandTimeoutSeconds = 0;
            if (field == "ConnectionLifetimeSeconds") p.ConnectionLifetimeSeconds = -1;
        });
        Assert.Contains(field, error.Message);
    }

    [Fact]
    public void A_missing_or_unparseable_connection_string_names_the_field()
    {
        Assert.Contains("ConnectionString", Fails<PostgresOptions>(p => p.ConnectionString = "").Message);
        // The key Npgsql 10 no longer accepts.
        Assert.Contains("ConnectionString", Fails<PostgresOptions>(p => p.ConnectionString = "Host=x;Max Pool Size=5").Message);
    }

    [Fact]
    public void Minimum_pool_above_maximum_names_both_fields()
    {
        var error = Fails<PostgresOptions>(p => { p.MinimumPoolSize = 50; p.MaximumPoolSize = 10; });
        Assert.Contains("MinimumPoolSize", error.Message);
        Assert.Contains("MaximumPoolSize", error.Message);
    }

    [Fact]
    public void Bad_resilience_values_name_the_dependency_and_field()
    {
        var error = Fails<ResilienceOptions>(_ => { }, resilience: r => { r.Postgres.FailureRatio = 0; r.Redis.BreakDuration = TimeSpan.Zero; });
        Assert.Contains("Resilience:Postgres:FailureRatio", error.Message);
        Assert.Contains("Resilience:Redis:BreakDuration", error.Message);
    }

    [Fact]
    public void Bad_cache_values_name_the_field()
    {
        var error = Fails<ReferenceCacheOptions>(_ => { }, cache: c => { c.VolatileTtl = TimeSpan.Zero; c.RedisConfiguration = ""; });
        Assert.Contains("VolatileTtl", error.Message);
        Assert.Contains("RedisConfiguration", error.Message);
    }

    [Fact]
    public async Task A_host_with_bad_options_refuses_to_start()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLedger(p => p.ConnectionString = GoodConnection, c => c.RedisConfiguration = "x:1",
            r => r.Postgres.RetryCount = 99);
        using var host = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Resilience:Postgres:RetryCount", error.Message);
    }
}
