using StackExchange.Redis;

namespace OrleansWallet.Storage;

/// <summary>How a grain calls its side data in Redis: a failure is storage_unavailable, as a failed state write is.</summary>
internal static class SideDataCalls
{
    public static async Task<T> OrStorageUnavailable<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new WalletException(ErrorCodes.StorageUnavailable, "storage is unavailable; nothing was changed, retry with the same key");
        }
    }

    public static Task OrStorageUnavailable(Func<Task> call) => OrStorageUnavailable(async () =>
    {
        await call();
        return true;
    });
}
