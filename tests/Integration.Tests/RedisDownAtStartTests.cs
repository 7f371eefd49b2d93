using Xunit.Abstractions;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// A silo started while Redis (its membership, state and reminders) is not answering waits for it
/// instead of aborting: before the start gate, Orleans' membership start failed the process on the
/// first Redis error (seen with a Redis still loading its data set after a restart), so every silo
/// started during a Redis restart would crash-loop.
/// </summary>
public sealed class RedisDownAtStartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private WalletCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await WalletCluster.StartAsync(silos: 0);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_silo_started_while_redis_is_down_starts_when_redis_returns()
    {
        await _cluster.Redis.KillAsync();
        var silo = _cluster.LaunchSilo();
        await Eventually.ReturnsAsync(() => Task.FromResult(silo.Output), o => o.Contains("Redis does not answer yet", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the silo waiting for Redis");
        Assert.False(silo.HasExited);

        await _cluster.Redis.StartAgainAsync();
        await silo.WaitUntilReadyAsync(); // throws if the silo exited or never became ready
        Assert.Contains("Redis answers again", silo.Output);
        output.WriteLine(silo.Output.Split('\n').First(l => l.Contains("Redis does not answer yet", StringComparison.Ordinal)));

        var user = Ids.User("redis-late");
        var reply = await _cluster.Channel(0).Wallets.CreditDepositAsync(user, "ETH", 5, Ids.Key("tx"));
        Assert.False(reply.Replayed);
        Assert.Equal(5, (long)(await _cluster.Channel(0).Wallets.GetBalancesAsync(user)).Single(b => b.Asset == "ETH").Available);
    }
}
