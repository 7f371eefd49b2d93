using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansWallet.Assets;
using OrleansWallet.Common;
using OrleansWallet.Wallet;

namespace OrleansWallet.Orders;

/// <summary>
/// Shell around <see cref="Order"/>. Every change is persisted first, then its wallet step runs
/// (hold, settle a fill, release); each wallet step is idempotent by order and fill id, so
/// after a crash the recorded-but-unfinished steps are simply run again (on re-activation, by
/// reminder, or on the next call).
/// </summary>
public sealed class OrderGrain : Grain, IOrderGrain, IRemindable
{
    private const string DriveReminderName = "drive-order-wallet-steps";

    private readonly IPersistentState<OrderState> _state;
    private readonly AssetCatalog _assets;
    private readonly TimeProvider _clock;
    private readonly FaultInjectionOptions _faults;
    private readonly ILogger<OrderGrain> _logger;
    private readonly PendingWorkReminder _reminder;

    public OrderGrain(
        [PersistentState("order", StorageNames.Orders)] IPersistentState<OrderState> state,
        AssetCatalog assets,
        TimeProvider clock,
        IOptions<FaultInjectionOptions> faults,
        ILogger<OrderGrain> logger)
    {
        _state = state;
        _assets = assets;
        _clock = clock;
        _faults = faults.Value;
        _logger = logger;
        _reminder = new PendingWorkReminder(this, DriveReminderName);
    }

    private string OrderId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_state.State.HasPendingWalletWork)
            this.RegisterGrainTimer(_ => DriveQuietlyAsync(), TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public async Task<OrderView> Place(PlaceOrder command)
    {
        if (_state.State.Order is { } existing)
        {
            existing.RequireSamePlacement(command);
        }
        else
        {
            var order = Order.Place(OrderId, command, _assets, _clock.GetUtcNow());
            await _reminder.EnsureRegisteredAsync();
            _state.State.Order = order;
            await PersistAsync();
        }
        await DriveWalletStepsAsync();
        return _state.State.Order!.ToView();
    }

    public async Task<OrderView> Fill(FillOrder command)
    {
        var order = RequireOrder();
        await DriveWalletStepsAsync();
        var fill = order.ApplyFill(command, _clock.GetUtcNow());
        if (fill.IsNew)
        {
            await _reminder.EnsureRegisteredAsync();
            await PersistAsync();
            FaultInjectionOptions.CrashIf(_faults.CrashAfterFillRecorded, "after fill recorded");
        }
        await DriveWalletStepsAsync();
        return order.ToView();
    }

    public async Task<OrderView> Cancel()
    {
        var order = RequireOrder();
        await DriveWalletStepsAsync();
        if (order.Cancel(_clock.GetUtcNow()))
        {
            await _reminder.EnsureRegisteredAsync();
            _state.State.ReleasePending = true;
            await PersistAsync();
        }
        await DriveWalletStepsAsync();
        return order.ToView();
    }

    public Task<OrderView?> Get() => Task.FromResult(_state.State.Order?.ToView());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DriveReminderName) return;
        await DriveQuietlyAsync();
        if (!_state.State.HasPendingWalletWork) await _reminder.UnregisterAsync();
    }

    private Order RequireOrder() =>
        _state.State.Order ?? throw new WalletException(ErrorCodes.OrderNotFound, $"order '{OrderId}' was never placed");

    /// <summary>Runs every recorded wallet step that has not completed yet, persisting after each.</summary>
    private async Task DriveWalletStepsAsync()
    {
        var state = _state.State;
        if (state.Order is not { } order || !state.HasPendingWalletWork) return;
        var wallet = GrainFactory.GetGrain<IWalletSettlementGrain>(order.UserId);
        try
        {
            if (!state.Indexed)
            {
                await GrainFactory.GetGrain<IUserOrdersGrain>(order.UserId).Add(order.OrderId);
                state.Indexed = true;
                await PersistAsync();
            }
            if (order.Status == OrderStatus.Pending)
            {
                await HoldFundsAsync(wallet, order);
                await PersistAsync();
            }
            foreach (var fill in order.Fills.Where(f => !f.Settled))
            {
                await wallet.SettleFill(new SettleFill(order.OrderId, fill.FillId, fill.Sold, order.BuyAsset, fill.Bought));
                fill.Settled = true;
                await PersistAsync();
            }
            if (state.ReleasePending)
            {
                await wallet.ReleaseHold(order.OrderId);
                state.ReleasePending = false;
                await PersistAsync();
            }
        }
        catch (Exception ex) when (ex is not WalletException)
        {
            _logger.LogWarning(ex, "Order {Order}: wallet step not completed yet; will retry", OrderId);
            throw new WalletException(ErrorCodes.OperationInProgress,
                "the order change is recorded and its wallet step is still running; retry or get the order");
        }
    }

    private async Task HoldFundsAsync(IWalletSettlementGrain wallet, Order order)
    {
        try
        {
            await wallet.PlaceHold(new PlaceHold(order.OrderId, order.SellAsset, order.SellAmount));
            order.MarkFundsHeld(_clock.GetUtcNow());
        }
        catch (WalletException refused) when (refused.Kind is ErrorKind.FailedPrecondition or ErrorKind.InvalidArgument)
        {
            // The wallet refused and changed nothing: the order ends here, with the reason.
            order.Reject(refused.Code, _clock.GetUtcNow());
        }
    }

    private async Task DriveQuietlyAsync()
    {
        try
        {
            await DriveWalletStepsAsync();
        }
        catch (WalletException ex)
        {
            _logger.LogWarning("Order {Order}: recovery incomplete: {Reason}", OrderId, ex.Message);
        }
    }

    private async Task PersistAsync()
    {
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception writeError)
        {
            _logger.LogError(writeError, "Order {Order}: state write failed", OrderId);
            await StateRecovery.ReloadOrDeactivateAsync(_state, this, _logger);
            throw new WalletException(ErrorCodes.StorageUnavailable,
                "order storage is unavailable; retry the same request to learn whether it was applied");
        }
    }
}
