namespace OrleansWallet.Wallet;

/// <summary>
/// A user's wallet (key: user id): per asset, available and held balances. Every mutation is
/// idempotent by its key: a replay returns the first result and moves no money; the same key
/// with another payload is refused with <see cref="ErrorCodes.IdempotencyConflict"/>.
/// </summary>
public interface IWalletGrain : IGrainWithStringKey
{
    Task<IReadOnlyList<AssetBalance>> GetBalances();

    Task<OperationResult> CreditDeposit(CreditDeposit command);

    Task<OperationResult> RequestWithdrawal(RequestWithdrawal command);

    /// <summary>The withdrawal was broadcast and confirmed: its held funds leave the wallet.</summary>
    Task<OperationResult> CompleteWithdrawal(string withdrawalId);

    /// <summary>The withdrawal could not be sent: its held funds become available again.</summary>
    Task<OperationResult> FailWithdrawal(string withdrawalId);

    /// <summary>
    /// Debits this wallet and credits the payee exactly once. If the credit leg cannot be
    /// delivered now the debit stays recorded as an intent, the call fails with
    /// <see cref="ErrorCodes.OperationInProgress"/>, and the wallet completes it by itself
    /// (on re-activation or by reminder) or when the caller retries with the same key.
    /// </summary>
    Task<OperationResult> Transfer(TransferFunds command);
}

/// <summary>
/// The wallet's side of cross-grain protocols (transfers between wallets, order holds). Called
/// by grains only; never exposed over the API.
/// </summary>
public interface IWalletSettlementGrain : IGrainWithStringKey
{
    Task<OperationResult> ReceiveTransfer(IncomingTransfer transfer);

    Task<OperationResult> PlaceHold(PlaceHold command);

    Task<OperationResult> SettleFill(SettleFill command);

    /// <summary>Releases whatever the order still holds.</summary>
    Task<OperationResult> ReleaseHold(string orderId);
}
