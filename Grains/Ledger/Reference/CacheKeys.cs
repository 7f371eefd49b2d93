namespace OrleansWallet.Ledger.Reference;

/// <summary>
/// Cache keys (after the configured prefix). The restricted part (symbol, chain, tier) comes
/// first and the free-form user id last, so no user id can make two keys collide.
/// </summary>
internal static class CacheKeys
{
    public static string Asset(string symbol) => $"asset:{symbol}";
    public static string User(string userId) => $"user:{userId}";
    public static string TierLimit(int kycTier, string asset) => $"limit:tier:{kycTier}:{asset}";
    public static string UserLimit(string userId, string asset) => $"limit:user:{asset}:{userId}";
    public static string Allowlist(string userId, string chain) => $"allowlist:{chain}:{userId}";

    /// <summary>Metric tags for the kinds of cached data.</summary>
    public static class Kinds
    {
        public const string Asset = "asset";
        public const string User = "user";
        public const string Limit = "limit";
        public const string Allowlist = "allowlist";
    }
}
