using System.Security.Cryptography;
using System.Text;
using OrleansWallet.Ledger.Journal;

namespace OrleansWallet.Wallet;

/// <summary>
/// Journal operation ids (and withdrawal-policy ids) unique across the system: the user id and the
/// wallet's namespaced operation key ("deposit:0xabc:0"), which is unique within that wallet.
/// </summary>
public static class LedgerOperationIds
{
    private const string HashedPrefix = "sha256:";

    /// <summary>
    /// "{userId}/{key}" while it fits the journal's <see cref="LedgerLimits.OperationIdLengthMax"/>;
    /// longer ones (a 128-character user id with a 128-character key) become "sha256:" and the hex
    /// digest of that text: still deterministic, so a replay yields the same id.
    /// </summary>
    public static string For(string userId, string operationKey)
    {
        var id = $"{userId}/{operationKey}";
        if (id.Length <= LedgerLimits.OperationIdLengthMax) return id;
        return HashedPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
    }
}
