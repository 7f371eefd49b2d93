namespace OrleansWallet.Ledger.Tests;

/// <summary>A clock the test sets; timers are not needed by the code under test.</summary>
public sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
