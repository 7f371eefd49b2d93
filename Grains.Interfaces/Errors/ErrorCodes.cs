namespace OrleansWallet;

/// <summary>
/// Machine-readable reasons sent with every refused operation (gRPC trailer <c>error-reason</c>).
/// They are part of the public contract: add new ones, never rename.
/// </summary>
public static class ErrorCodes
{
    // Bad input: InvalidArgument.
    public const string AmountMissing = "amount_missing";
    public const string AmountMalformed = "amount_malformed";
    public const string AmountTooLarge = "amount_too_large";
    public const string AmountZero = "amount_zero";
    public const string AssetUnknown = "asset_unknown";
    public const string KeyMissing = "idempotency_key_missing";
    public const string KeyMalformed = "idempotency_key_malformed";
    public const string UserIdMalformed = "user_id_malformed";
    public const string OrderIdMalformed = "order_id_malformed";
    public const string FieldMalformed = "field_malformed";
    public const string TransferToSelf = "transfer_to_self";
    public const string SameAssetOrder = "order_same_asset";
    public const string AddressInvalid = "address_invalid";
    public const string AddressChecksum = "address_checksum";

    // State does not allow it: FailedPrecondition.
    public const string InsufficientFunds = "insufficient_funds";
    public const string WithdrawalNotPending = "withdrawal_not_pending";
    public const string OrderIllegalTransition = "order_illegal_transition";
    public const string OrderOverfill = "order_overfill";
    public const string FillBelowLimit = "order_fill_below_limit";
    public const string AddressNotAllowlisted = "address_not_allowlisted";
    public const string DailyLimitExceeded = "daily_limit_exceeded";
    public const string ChainMismatch = "chain_mismatch";
    public const string UnknownUser = "unknown_user";
    public const string AssetDisabled = "asset_disabled";
    /// <summary>The change would take a balance above 2^256-1, the largest amount there is.</summary>
    public const string BalanceOverflow = "balance_overflow";
    /// <summary>The payee's wallet refused the credit for good; the payer's debit was returned.</summary>
    public const string TransferRefused = "transfer_refused";

    // Unknown thing: NotFound.
    public const string WithdrawalNotFound = "withdrawal_not_found";
    public const string OrderNotFound = "order_not_found";

    // Key reused with another payload: AlreadyExists.
    public const string IdempotencyConflict = "idempotency_key_conflict";

    // A dependency is down or the operation is still completing: Unavailable (retry with the same key).
    public const string StorageUnavailable = "storage_unavailable";
    public const string OperationInProgress = "operation_in_progress";
    /// <summary>Postgres (the ledger) cannot serve a call that needs it now, e.g. a withdrawal's limit check.</summary>
    public const string LedgerUnavailable = "ledger_unavailable";
    /// <summary>The wallet's ledger outbox is full (Postgres has been down long enough); nothing was changed.</summary>
    public const string LedgerOutboxFull = "ledger_outbox_full";

    public static ErrorKind KindOf(string code) => code switch
    {
        InsufficientFunds or WithdrawalNotPending or OrderIllegalTransition or OrderOverfill or FillBelowLimit
            or AddressNotAllowlisted or DailyLimitExceeded or ChainMismatch or UnknownUser or AssetDisabled
            or BalanceOverflow or TransferRefused
            => ErrorKind.FailedPrecondition,
        WithdrawalNotFound or OrderNotFound => ErrorKind.NotFound,
        IdempotencyConflict => ErrorKind.AlreadyExists,
        StorageUnavailable or OperationInProgress or LedgerUnavailable or LedgerOutboxFull => ErrorKind.Unavailable,
        _ => ErrorKind.InvalidArgument,
    };
}

public enum ErrorKind
{
    InvalidArgument,
    FailedPrecondition,
    NotFound,
    AlreadyExists,
    Unavailable,
}
