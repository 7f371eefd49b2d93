using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansWallet.Assets;
using Orleans.Streams;
using OrleansWallet.Common;
using OrleansWallet.Wallet;

namespace OrleansWallet.Orders;

/// <summary>
/// Shell around <see cref="Order"/>. Every change is persisted first, then its wallet step runs
/// (hold, settle a fill, release); each wallet step is idempotent by order and fill id, so
/// after a crash the recorded-but-unfinished steps are simply run again (on re-activation, by
/// reminder, or on the next call). Events are recorded in the same write as the change that
/// caused them (outbox) and published afterwards, in order, on the user's stream.
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

    /// <summary>Events were published and dropped from the outbox, but that drop is not yet persisted.</summary>
    private bool _outboxTrimNotPersisted;

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
        if (_state.State.HasPendingWork)
            this.RegisterGrainTimer(_ => DriveQuietlyAsync(), TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Persist the trimmed outbox so the next activation does not publish those events again.
        // Best effort: if this is lost, consumers see duplicates, which they drop by event id.
        if (_outboxTrimNotPersisted)
        {
            try { await _state.WriteStateAsync(cancellationToken); }
            catch (Exception ex) { _logger.LogWarning(ex, "Order {Order}: outbox trim not persisted", OrderId); }
        }
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
        await PublishEventsAsync();
        return _state.State.Order!.ToView();
    }

    public async Task<OrderView> Fill(FillOrder command)
    {
        var order = RequireOrder();
        await DriveWalletStepsAsync();
        var fill = order.ApplyFill(command, _clock.GetUtcNow());
        if (fill.Event is { } filled)
        {
            await _reminder.EnsureRegisteredAsync();
            _state.State.UnpublishedEvents.Add(filled);
            await PersistAsync();
            FaultInjectionOptions.CrashIf(_faults.CrashAfterFillRecorded, "after fill recorded");
        }
        await DriveWalletStepsAsync();
        await PublishEventsAsync();
        return order.ToView();
    }

    public async Task<OrderView> Cancel()
    {
        var order = RequireOrder();
        await DriveWalletStepsAsync();
        if (order.Cancel(_clock.GetUtcNow()) is { } cancelled)
        {
            await _reminder.EnsureRegisteredAsync();
            _state.State.ReleasePending = true;
            _state.State.UnpublishedEvents.Add(cancelled);
            await PersistAsync();
        }
        await DriveWalletStepsAsync();
        await PublishEventsAsync();
        return order.ToView();
    }

    public Task<OrderView?> Get() => Task.FromResult(_state.State.Order?.ToView());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != DriveReminderName) return;
        await DriveQuietlyAsync();
        if (!_state.State.HasPendingWork) await _reminder.UnregisterAsync();
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
            _state.State.UnpublishedEvents.Add(order.MarkFundsHeld(_clock.GetUtcNow()));
        }
        catch (WalletException refused) when (refused.Kind is ErrorKind.FailedPrecondition or ErrorKind.InvalidArgument)
        {
            // The wallet refused and changed nothing: the order ends here, with the reason.
            _state.State.UnpublishedEvents.Add(order.Reject(refused.Code, _clock.GetUtcNow()));
        }
    }

    private async Task DriveQuietlyAsync()
    {
        try
        {
            await DriveWalletStepsAsync();
            await PublishEventsAsync();
            if (_outboxTrimNotPersisted) await PersistAsync();
        }
        catch (WalletException ex)
        {
            _logger.LogWarning("Order {Order}: recovery incomplete: {Reason}", OrderId, ex.Message);
        }
    }

    /// <summary>
    /// Publishes the outbox in order. The caller's operation is already durable, so a broker
    /// outage does not fail it: the events stay in the outbox and the reminder retries.
    /// </summary>
    private async Task PublishEventsAsync()
    {
        var outbox = _state.State.UnpublishedEvents;
        if (outbox.Count == 0 || _state.State.Order is not { } order) return;
        var stream = this.GetStreamProvider(OrderEventStream.ProviderName)
            .GetStream<OrderEvent>(StreamId.Create(OrderEventStream.Namespace, order.UserId));
        try
        {
            while (outbox.Count > 0)
            {
                await stream.OnNextAsync(outbox[0]);
                outbox.RemoveAt(0);
                _outboxTrimNotPersisted = true;
            }
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Order {Order}: {Count} events not published yet; will retry", OrderId, outbox.Count);
        }
    }

    private async Task PersistAsync()
    {
        await StateRecovery.WriteOrRestoreAsync(_state, this, _logger);
        _outboxTrimNotPersisted = false;
    }
}
