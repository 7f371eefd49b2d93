using OrleansWallet.Storage;
using StackExchange.Redis;

namespace OrleansWallet.Orders;

/// <summary>
/// A user's order ids in placement order: a Redis sorted set per user (<c>{prefix}user-orders/{user}</c>,
/// score = placement time), so adding is O(log n) and a page is read by rank, never the whole list.
/// The order grain adds its id before its first write: the list may name an order whose placement
/// then failed (listing skips it), but never misses one that exists.
/// </summary>
public sealed class UserOrderIndex(WalletRedis redis)
{
    /// <summary>One page of orders; bounded so a listing call has a bounded cost.</summary>
    public const int PageSizeMax = 500;

    public Task AddAsync(string userId, string orderId, DateTimeOffset placedAt) =>
        redis.Database.SortedSetAddAsync(Key(userId), orderId, placedAt.UtcTicks, SortedSetWhen.NotExists);

    public async Task<IReadOnlyList<string>> ListAsync(string userId, int offset, int limit)
    {
        if (offset < 0) throw new WalletException(ErrorCodes.FieldMalformed, "page_token must not be negative");
        if (limit is < 1 or > PageSizeMax)
            throw new WalletException(ErrorCodes.FieldMalformed, $"page_size must be between 1 and {PageSizeMax}");
        var page = await redis.Database.SortedSetRangeByRankAsync(Key(userId), offset, offset + limit - 1);
        return page.Select(id => id.ToString()).ToList();
    }

    private RedisKey Key(string userId) => redis.Key("user-orders/" + userId);
}
