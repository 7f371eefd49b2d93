using Microsoft.Extensions.Logging;
using OrleansWallet.Common;

namespace OrleansWallet.Orders;

[GenerateSerializer]
public sealed class UserOrdersState
{
    [Id(0)] public List<string> OrderIds { get; set; } = [];
}

/// <summary>The list of one user's order ids, in placement order; adding is idempotent.</summary>
public sealed class UserOrdersGrain(
    [PersistentState("user-orders", StorageNames.Orders)] IPersistentState<UserOrdersState> state,
    ILogger<UserOrdersGrain> logger)
    : Grain, IUserOrdersGrain
{
    /// <summary>One page of orders; bounded so a listing call has a bounded cost.</summary>
    public const int PageSizeMax = 500;

    private HashSet<string>? _known;

    public async Task Add(string orderId)
    {
        _known ??= new HashSet<string>(state.State.OrderIds, StringComparer.Ordinal);
        if (!_known.Add(orderId)) return;
        state.State.OrderIds.Add(orderId);
        try
        {
            await StateRecovery.WriteOrRestoreAsync(state, this, logger);
        }
        catch
        {
            // The list was restored from storage; rebuild the index from it. The order grain retries.
            _known = null;
            throw;
        }
    }

    public Task<IReadOnlyList<string>> List(int offset, int limit)
    {
        if (offset < 0) throw new WalletException(ErrorCodes.FieldMalformed, "page_token must not be negative");
        if (limit is < 1 or > PageSizeMax)
            throw new WalletException(ErrorCodes.FieldMalformed, $"page_size must be between 1 and {PageSizeMax}");
        IReadOnlyList<string> page = state.State.OrderIds.Skip(offset).Take(limit).ToList();
        return Task.FromResult(page);
    }
}
