namespace OrleansWallet.Ledger.Journal;

/// <summary>The balance movements the wallet makes; each is built by <see cref="LedgerMovements"/>.</summary>
public enum MovementKind
{
    Deposit,
    WithdrawalRequest,
    WithdrawalComplete,
    WithdrawalFail,
    Transfer,
    OrderHold,
    OrderFill,
    OrderRelease,
    TransferRefund,
}
