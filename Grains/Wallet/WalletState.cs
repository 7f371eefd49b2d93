using OrleansWallet.Money;

namespace OrleansWallet.Wallet;

/// <summary>The persisted state of one wallet (Orleans grain state in Redis, ETag-checked).</summary>
[GenerateSerializer]
public sealed class WalletState
{
    /// <summary>Per asset symbol.</summary>
    [Id(0)] public Dictionary<string, BalanceEntry> Balances { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Every applied mutation by its namespaced key, with the answer it gave, so that a replay
    /// returns the same answer and moves no money.
    /// </summary>
    [Id(1)] public Dictionary<string, OperationRecord> Operations { get; set; } = new(StringComparer.Ordinal);

    [Id(2)] public Dictionary<string, WithdrawalRecord> Withdrawals { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Transfers debited here whose credit leg is not yet confirmed by the payee.</summary>
    [Id(3)] public Dictionary<string, PendingTransfer> PendingTransfersOut { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Funds held for open orders, by order id.</summary>
    [Id(4)] public Dictionary<string, HoldRecord> Holds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Journal entries of applied movements not yet in Postgres, oldest first. Appended in the
    /// same write as the balance change they describe, removed once the journal has them.
    /// </summary>
    [Id(5)] public List<LedgerOutboxEntry> LedgerOutbox { get; set; } = [];

    /// <summary>Withdrawal completions and failures the withdrawal policy in Postgres has not recorded yet, oldest first.</summary>
    [Id(6)] public List<WithdrawalStatusUpdate> WithdrawalStatusOutbox { get; set; } = [];
}

[GenerateSerializer]
public sealed class BalanceEntry
{
    [Id(0)] public Amount Available { get; set; }
    [Id(1)] public Amount Held { get; set; }
}

[GenerateSerializer]
public sealed record OperationRecord(
    [property: Id(0)] string Fingerprint,
    [property: Id(1)] OperationResult Result);

public enum WithdrawalStatus
{
    Pending = 0,
    Completed = 1,
    Failed = 2,
}

[GenerateSerializer]
public sealed class WithdrawalRecord
{
    [Id(0)] public string Asset { get; set; } = "";
    [Id(1)] public Amount Amount { get; set; }
    [Id(2)] public string Address { get; set; } = "";
    [Id(3)] public WithdrawalStatus Status { get; set; }
}

[GenerateSerializer]
public sealed record PendingTransfer(
    [property: Id(0)] string ToUserId,
    [property: Id(1)] string Asset,
    [property: Id(2)] Amount Amount,
    [property: Id(3)] string Fingerprint);

[GenerateSerializer]
public sealed class HoldRecord
{
    [Id(0)] public string Asset { get; set; } = "";
    [Id(1)] public Amount Remaining { get; set; }
}
