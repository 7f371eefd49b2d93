namespace OrleansWallet.Ledger.Hosting;

/// <summary>
/// Work that must be done once the schema is migrated and before anything else uses the ledger
/// (seeding reference data). Registered as a singleton; run by <see cref="LedgerStartupService"/>
/// in registration order, again from the start after a failure, so it must be idempotent.
/// </summary>
public interface ILedgerStartupTask
{
    Task RunAsync(CancellationToken cancellationToken);
}
