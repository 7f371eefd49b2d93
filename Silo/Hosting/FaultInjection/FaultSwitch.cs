using OrleansWallet.Storage;
using StackExchange.Redis;

namespace OrleansWallet.Silo.Hosting.FaultInjection;

/// <summary>
/// The tests' remote control for injected faults: a counter per fault point and grain in Redis;
/// each check that finds it above zero takes one and fails. Only wired when
/// <c>FaultInjection:StorageFaults</c> is set.
/// </summary>
internal sealed class FaultSwitch(WalletRedis redis)
{
    /// <summary>Decrements the counter if positive (atomically, in Redis) and says whether this call must fail.</summary>
    private const string TakeScript =
        """
        local left = tonumber(redis.call('GET', KEYS[1]) or '0')
        if left > 0 then redis.call('DECR', KEYS[1]) return 1 end
        return 0
        """;

    public async Task<bool> ShouldFailAsync(string point, GrainId grainId) =>
        (int)await redis.Database.ScriptEvaluateAsync(TakeScript, [redis.Key($"faults/{point}/{grainId}")]) == 1;
}
