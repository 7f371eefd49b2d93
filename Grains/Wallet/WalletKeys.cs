namespace OrleansWallet.Wallet;

/// <summary>
/// The idempotency keys of wallet operations: "{kind}/{part}[/{part}]". Client ids and keys may
/// contain ':' but never '/' (see <see cref="Identifiers"/>), so a composite key names exactly one
/// (payer, key) or (order, fill) pair: user "a" paying with key "b:c" and user "a:b" paying with
/// key "c" get different keys. The key is also the wallet-scoped part of the journal's operation id.
/// </summary>
public static class WalletKeys
{
    public static string Deposit(string txId) => "deposit/" + txId;

    public static string Withdrawal(string withdrawalId) => "withdraw/" + withdrawalId;

    public static string WithdrawalComplete(string withdrawalId) => "withdraw-complete/" + withdrawalId;

    public static string WithdrawalFail(string withdrawalId) => "withdraw-fail/" + withdrawalId;

    public static string Transfer(string clientKey) => "transfer/" + clientKey;

    public static string TransferIn(string fromUserId, string clientKey) => $"transfer-in/{fromUserId}/{clientKey}";

    /// <summary>The refund of a transfer the payee refused; its own journal operation, so it is written once.</summary>
    public static string TransferRefund(string clientKey) => "transfer-refund/" + clientKey;

    public static string Hold(string orderId) => "hold/" + orderId;

    public static string Fill(string orderId, string fillId) => $"fill/{orderId}/{fillId}";

    public static string Release(string orderId) => "release/" + orderId;

    /// <summary>The client's key inside a <see cref="Transfer"/> key.</summary>
    public static string ClientKeyOfTransfer(string transferKey) => transferKey["transfer/".Length..];
}
