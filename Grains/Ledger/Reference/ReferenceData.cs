using System.Numerics;
using OrleansWallet.Ledger.Addresses;

namespace OrleansWallet.Ledger.Reference;

/// <summary>
/// Assets, users, daily withdrawal limits and allow-lists: read through the Redis cache, written
/// to Postgres with the cache key deleted after. Reads need Postgres only on a cache miss.
/// </summary>
public sealed class ReferenceData
{
    private readonly ReferenceStore _store;
    private readonly ReferenceCache _cache;

    internal ReferenceData(ReferenceStore store, ReferenceCache cache)
    {
        _store = store;
        _cache = cache;
    }

    /// <summary>Null if the symbol is not registered.</summary>
    public Task<Asset?> GetAssetAsync(string symbol, CancellationToken cancellationToken = default) =>
        _cache.GetOrLoadAsync(CacheKeys.Kinds.Asset, CacheKeys.Asset(symbol), _cache.ReferenceTtl,
            token => _store.GetAssetAsync(symbol, token), cancellationToken);

    public async Task UpsertAssetAsync(Asset asset, CancellationToken cancellationToken = default)
    {
        await _store.UpsertAssetAsync(asset, cancellationToken);
        await _cache.InvalidateAsync(CacheKeys.Kinds.Asset, CacheKeys.Asset(asset.Symbol), cancellationToken);
    }

    /// <summary>Null if the user is not known to reference data.</summary>
    public Task<UserProfile?> GetUserAsync(string userId, CancellationToken cancellationToken = default) =>
        _cache.GetOrLoadAsync(CacheKeys.Kinds.User, CacheKeys.User(userId), _cache.StableTtl,
            token => _store.GetUserAsync(userId, token), cancellationToken);

    public async Task UpsertUserAsync(UserProfile user, CancellationToken cancellationToken = default)
    {
        await _store.UpsertUserAsync(user, cancellationToken);
        await _cache.InvalidateAsync(CacheKeys.Kinds.User, CacheKeys.User(user.UserId), cancellationToken);
    }

    /// <summary>
    /// The user's daily withdrawal limit for the asset in base units: their override if set, else
    /// their tier's. Null: no limit is configured, which the withdrawal policy treats as zero.
    /// </summary>
    public async Task<BigInteger?> GetDailyWithdrawalLimitAsync(UserProfile user, string asset,
        CancellationToken cancellationToken = default)
    {
        var overridden = await _cache.GetOrLoadAsync(CacheKeys.Kinds.Limit, CacheKeys.UserLimit(user.UserId, asset),
            _cache.VolatileTtl, token => _store.GetUserLimitOverrideAsync(user.UserId, asset, token), cancellationToken);
        if (overridden?.Amount is { } userLimit) return userLimit;
        var tier = await _cache.GetOrLoadAsync(CacheKeys.Kinds.Limit, CacheKeys.TierLimit(user.KycTier, asset),
            _cache.VolatileTtl, token => _store.GetTierLimitAsync(user.KycTier, asset, token), cancellationToken);
        return tier?.Amount;
    }

    public async Task SetTierLimitAsync(int kycTier, string asset, BigInteger dailyLimit, CancellationToken cancellationToken = default)
    {
        if (dailyLimit < 0) throw new ArgumentOutOfRangeException(nameof(dailyLimit), dailyLimit, "a limit is not negative");
        await _store.SetTierLimitAsync(kycTier, asset, dailyLimit, cancellationToken);
        await _cache.InvalidateAsync(CacheKeys.Kinds.Limit, CacheKeys.TierLimit(kycTier, asset), cancellationToken);
    }

    /// <summary>Sets the user's own limit for the asset, overriding their tier's; null removes the override.</summary>
    public async Task SetUserLimitOverrideAsync(string userId, string asset, BigInteger? dailyLimit,
        CancellationToken cancellationToken = default)
    {
        if (dailyLimit < 0) throw new ArgumentOutOfRangeException(nameof(dailyLimit), dailyLimit, "a limit is not negative");
        await _store.SetUserLimitOverrideAsync(userId, asset, dailyLimit, cancellationToken);
        await _cache.InvalidateAsync(CacheKeys.Kinds.Limit, CacheKeys.UserLimit(userId, asset), cancellationToken);
    }

    /// <summary>Whether the address (any accepted spelling) is on the user's allow-list for the chain.</summary>
    public async Task<bool> IsAllowlistedAsync(string userId, string chain, string address,
        CancellationToken cancellationToken = default)
    {
        var check = ChainAddresses.Check(chain, address);
        if (!check.IsValid) return false;
        var allowlist = await _cache.GetOrLoadAsync(CacheKeys.Kinds.Allowlist, CacheKeys.Allowlist(userId, chain),
            _cache.StableTtl, token => _store.GetAllowlistAsync(userId, chain, token), cancellationToken);
        return allowlist is not null && allowlist.Addresses.Contains(check.Normalized);
    }

    /// <exception cref="ArgumentException">The address is not valid for the chain (the message says why).</exception>
    public async Task AddToAllowlistAsync(string userId, string chain, string address, CancellationToken cancellationToken = default)
    {
        var normalized = RequireValid(chain, address);
        await _store.AddToAllowlistAsync(userId, chain, normalized, cancellationToken);
        await _cache.InvalidateAsync(CacheKeys.Kinds.Allowlist, CacheKeys.Allowlist(userId, chain), cancellationToken);
    }

    public async Task RemoveFromAllowlistAsync(string userId, string chain, string address, CancellationToken cancellationToken = default)
    {
        var normalized = RequireValid(chain, address);
        await _store.RemoveFromAllowlistAsync(userId, chain, normalized, cancellationToken);
        await _cache.InvalidateAsync(CacheKeys.Kinds.Allowlist, CacheKeys.Allowlist(userId, chain), cancellationToken);
    }

    private static string RequireValid(string chain, string address)
    {
        var check = ChainAddresses.Check(chain, address);
        return check.IsValid ? check.Normalized! : throw new ArgumentException($"{check.Rejection}: {check.Detail}", nameof(address));
    }
}
