namespace OrleansWallet.Common;

/// <summary>
/// Serialises the mutate-then-persist sections of a reentrant grain. The grain is reentrant so
/// that wallets calling each other (A pays B while B pays A) cannot deadlock; this gate keeps
/// each state change and its write together, and is never held across a call to another grain.
/// </summary>
internal sealed class AsyncGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async Task<IDisposable> EnterAsync()
    {
        await _semaphore.WaitAsync();
        return new Releaser(_semaphore);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) semaphore.Release();
        }
    }
}
