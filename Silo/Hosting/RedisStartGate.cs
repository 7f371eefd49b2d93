using StackExchange.Redis;

namespace OrleansWallet.Silo.Hosting;

/// <summary>
/// Holds the silo's start until the Redis that keeps the membership table answers commands.
/// Orleans' membership start treats any Redis error as fatal: a Redis still loading its data set
/// after a restart (<c>LOADING</c>) or not reachable yet aborted the silo, so a Redis restart would
/// crash-loop every silo started meanwhile. Registered before Orleans (hosted services start in
/// order), it waits with a capped backoff and says why in the log; stopping the host ends the wait.
/// </summary>
internal sealed class RedisStartGate(IConfiguration configuration, ILogger<RedisStartGate> logger) : IHostedService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = RedisHostOptions.From(configuration).ConnectionOptions("orleans-wallet-start-gate");
        options.ConnectTimeout = (int)AttemptTimeout.TotalMilliseconds;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);

        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // PING answers even while Redis loads; a read of a key does not (LOADING).
                await connection.GetDatabase().KeyExistsAsync("orleans-wallet/start-gate").WaitAsync(AttemptTimeout, cancellationToken);
                if (attempt > 1) logger.LogInformation("Redis answers again after {Attempts} attempts: starting the silo", attempt);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning("Redis does not answer yet ({Error}); the silo starts when it does (attempt {Attempt}, next in {Delay} ms)",
                    ex.Message, attempt, (int)delay.TotalMilliseconds);
            }
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
