namespace OrleansWallet.TestSupport;

/// <summary>Polls a condition until it holds or a deadline passes: tests wait on outcomes, not on sleeps.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, Func<string> describeFailure) =>
        HoldsAsync(() => Task.FromResult(condition()), timeout, describeFailure);

    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describeFailure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not reached within {timeout}: {describeFailure()}");
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>
    /// Probes until the value satisfies <paramref name="condition"/>. A probe that throws (a
    /// service still coming back) counts as not yet; the last error is kept for the report.
    /// </summary>
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
            await Task.Delay(PollInterval);
        }
        throw new TimeoutException($"{what} did not happen within {timeout}; last value: {last}", lastError);
    }
}
