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
    /// (on re-activation or by its silo's pending-transfer sweep) or when the caller retries with the same key.
    /// </summary>
    Task<OperationResult> Transfer(TransferFunds command);

    /// <summary>How much ledger work this wallet still owes Postgres; answers without touching it.</summary>
    Task<WalletLedgerStatus> GetLedgerStatus();

    /// <summary>
    /// Writes the ledger outbox to Postgres now (if it is reachable) and returns what is left.
    /// Throws <see cref="ErrorCodes.LedgerUnavailable"/> if Postgres cannot take it.
    /// </summary>
    Task<WalletLedgerStatus> FlushLedger();

    /// <summary>Balances and the journal entries not yet in Postgres, taken together, for reconciliation.</summary>
    Task<WalletLedgerSnapshot> GetLedgerSnapshot();
}

/// <summary>
/// The wallet's ledger backlog: journal entries not yet in Postgres, withdrawal status changes
/// not yet recorded there, transfers debited here whose payee has not confirmed the credit, and
/// why the journal refused this wallet's entries if it did (an operator must look).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WalletLedgerStatus(
    [property: Id(0)] int OutboxEntries,
    [property: Id(1)] int PendingWithdrawalUpdates,
    [property: Id(2)] int PendingTransfers,
    [property: Id(3)] string? Rejection = null);

/// <summary>One journal entry still in a wallet's outbox, as reconciliation needs it (bucket: available, held or external).</summary>
[GenerateSerializer, Immutable]
public sealed record UnflushedLedgerEntry(
    [property: Id(0)] string UserId,
    [property: Id(1)] string Asset,
    [property: Id(2)] string Bucket,
    [property: Id(3)] System.Numerics.BigInteger Amount);

/// <summary>A wallet's balances and its unflushed journal entries, read at one instant.</summary>
[GenerateSerializer, Immutable]
public sealed record WalletLedgerSnapshot(
    [property: Id(0)] IReadOnlyList<AssetBalance> Balances,
    [property: Id(1)] IReadOnlyList<UnflushedLedgerEntry> Unflushed,
    [property: Id(2)] WalletLedgerStatus Status);

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

    /// <summary>
    /// Delivers the credits this wallet still owes for transfers it debited, then leaves the
    /// pending-transfer index if none is left (or stays, due again later). Called by the silos' sweep.
    /// </summary>
    Task SettlePendingTransfers();
}
