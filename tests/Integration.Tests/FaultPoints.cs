using StackExchange.Redis;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// The tests' side of the silos' fault switch (<c>FaultInjection:StorageFaults</c>): the next
/// <c>count</c> checks of a fault point for a grain fail.
/// </summary>
internal static class FaultPoints
{
    /// <param name="point"><c>write</c>, <c>pending-transfer-index</c> or <c>pending-order-index</c>.</param>
    public static Task FailAsync(IDatabase redis, string point, string grainType, string key, int count = 1) =>
        redis.StringSetAsync($"{SiloProcess.ServiceId}/faults/{point}/{grainType}/{key}", count);
}
