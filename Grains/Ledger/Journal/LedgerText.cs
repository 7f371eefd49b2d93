namespace OrleansWallet.Ledger.Journal;

/// <summary>The text the schema's CHECK constraints accept for the journal's enums.</summary>
internal static class LedgerText
{
    public static string Of(LedgerBucket bucket) => bucket switch
    {
        LedgerBucket.Available => "available",
        LedgerBucket.Held => "held",
        LedgerBucket.External => "external",
        LedgerBucket.Transit => "transit",
        _ => throw new ArgumentOutOfRangeException(nameof(bucket), bucket, null),
    };

    public static LedgerBucket Bucket(string text) => text switch
    {
        "available" => LedgerBucket.Available,
        "held" => LedgerBucket.Held,
        "external" => LedgerBucket.External,
        "transit" => LedgerBucket.Transit,
        _ => throw new InvalidDataException($"unknown ledger bucket '{text}'"),
    };

    public static string Of(MovementKind kind) => kind switch
    {
        MovementKind.Deposit => "deposit",
        MovementKind.WithdrawalRequest => "withdrawal_request",
        MovementKind.WithdrawalComplete => "withdrawal_complete",
        MovementKind.WithdrawalFail => "withdrawal_fail",
        MovementKind.Transfer => "transfer",
        MovementKind.OrderHold => "order_hold",
        MovementKind.OrderFill => "order_fill",
        MovementKind.OrderRelease => "order_release",
        MovementKind.TransferRefund => "transfer_refund",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static MovementKind Kind(string text) =>
        KindsByText.TryGetValue(text, out var kind) ? kind : throw new InvalidDataException($"unknown movement kind '{text}'");

    private static readonly Dictionary<string, MovementKind> KindsByText =
        Enum.GetValues<MovementKind>().ToDictionary(Of);
}
