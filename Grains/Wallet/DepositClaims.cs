using OrleansWallet.Storage;
using StackExchange.Redis;

namespace OrleansWallet.Wallet;

/// <summary>
/// Makes a chain deposit creditable to one wallet only: before a wallet credits a tx id it claims
/// <c>{prefix}deposit-tx/{chain}/{tx id}</c> with SET NX. The claim names the wallet and the
/// deposit's terms; the same wallet and terms may claim again (a retry), anything else is refused.
/// Claims are never removed: a chain transaction is credited once, ever (~100 bytes each in Redis).
/// A claim made by a request whose state write then failed stays with that wallet, which gets the
/// deposit when the caller retries.
/// </summary>
public sealed class DepositClaims(WalletRedis redis)
{
    /// <summary>Claims the deposit for this wallet and says how: first claim, a repeated one, or someone else's.</summary>
    public async Task<DepositClaim> ClaimAsync(string chain, string txId, string userId, string depositFingerprint)
    {
        var claim = $"{userId}|{depositFingerprint}";
        var key = redis.Key($"deposit-tx/{chain}/{txId}");
        var database = redis.Database;
        if (await database.StringSetAsync(key, claim, when: When.NotExists)) return DepositClaim.First;
        return await database.StringGetAsync(key) == claim ? DepositClaim.Repeated : DepositClaim.Conflict;
    }
}

public enum DepositClaim
{
    /// <summary>Never claimed before: so never credited anywhere, this wallet included.</summary>
    First,

    /// <summary>Claimed before by this wallet with the same terms: credited already, or a retry of a failed attempt.</summary>
    Repeated,

    /// <summary>Claimed by another wallet or with other terms.</summary>
    Conflict,
}
