using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansWallet.Wallet;

/// <summary>
/// Ledger outbox depth of the wallets active in this silo (meter <see cref="MeterName"/>):
/// <c>wallet.ledger.outbox.entries</c> (journal entries waiting for Postgres) and
/// <c>wallet.ledger.outbox.withdrawal_updates</c> (withdrawal statuses waiting). A growing value
/// means Postgres is refusing or slow; it drains when the breaker closes.
/// </summary>
public sealed class WalletLedgerMetrics
{
    public const string MeterName = "OrleansWallet.Wallet";

    private readonly ConcurrentDictionary<string, (int Entries, int WithdrawalUpdates)> _byWallet = new(StringComparer.Ordinal);

    public WalletLedgerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("wallet.ledger.outbox.entries", () => OutboxEntries,
            unit: "{entry}", description: "Journal entries in active wallets' outboxes, not yet written to Postgres");
        meter.CreateObservableGauge("wallet.ledger.outbox.withdrawal_updates", () => _byWallet.Values.Sum(v => (long)v.WithdrawalUpdates),
            unit: "{update}", description: "Withdrawal completions/failures not yet recorded by the withdrawal policy");
    }

    public long OutboxEntries => _byWallet.Values.Sum(v => (long)v.Entries);

    public void Report(string userId, int entries, int withdrawalUpdates)
    {
        if (entries == 0 && withdrawalUpdates == 0) _byWallet.TryRemove(userId, out _);
        else _byWallet[userId] = (entries, withdrawalUpdates);
    }

    public void Forget(string userId) => _byWallet.TryRemove(userId, out _);
}
