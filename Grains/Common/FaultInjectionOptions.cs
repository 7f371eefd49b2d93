namespace OrleansWallet.Common;

/// <summary>
/// Crash points for the crash-recovery tests (configuration section <c>FaultInjection</c>). Each
/// one kills the process at a named step, the way a power cut or kill -9 would. All off unless
/// a test starts a silo with them set; never set in production.
/// </summary>
public sealed class FaultInjectionOptions
{
    public const string Section = "FaultInjection";

    /// <summary>Die right after a transfer's debit intent is persisted, before the payee is credited.</summary>
    public bool CrashAfterTransferDebit { get; set; }

    /// <summary>Die right after a fill is persisted on the order, before the wallet settles it.</summary>
    public bool CrashAfterFillRecorded { get; set; }

    /// <summary>
    /// Lets a test fail chosen grain-state writes and pending-work index entries: before each, the
    /// silo checks a counter in Redis (<c>{service}/faults/write/{grain id}</c>,
    /// <c>{service}/faults/pending-transfer-index/{grain id}</c>, <c>{service}/faults/pending-order-index/{grain id}</c>)
    /// and fails that many. Costs a Redis read per write.
    /// </summary>
    public bool StorageFaults { get; set; }

    internal static void CrashIf(bool enabled, string point)
    {
        if (enabled) Environment.FailFast($"fault injection: {point}");
    }
}
