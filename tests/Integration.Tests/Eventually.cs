namespace OrleansWallet.Integration.Tests;

/// <summary>Polls a condition until it holds or the deadline passes: no fixed sleeps in tests.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last = default!;
        Exception? lastError = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await probe();
                if (condition(last)) return last;
                lastError = null;
            }
            catch (Exception ex)
            {
                lastError = ex;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{what} did not happen within {timeout}; last value: {last}", lastError);
    }
}
