using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Orleans.Streams;
using OrleansWallet.Assets;
using OrleansWallet.Common;
using OrleansWallet.Common.PendingWork;
using OrleansWallet.Orders.PendingWork;
using OrleansWallet.Storage;
using OrleansWallet.Wallet;

namespace OrleansWallet.Orders;

/// <summary>
/// Shell around <see cref="Order"/>. Every change is made on a copy of the committed state and
/// written first; only then does its wallet step run (hold, settle a fill, release) and its event
/// get published. Each wallet step is idempotent by order and fill id, so after a crash the
/// recorded-but-unfinished steps are simply run again (on re-activation, on the next call, or by
/// the silos' pending-order sweep for orders nobody calls). Events are recorded in the same write
/// as the change that caused them (outbox) and published afterwards, in order, on the user's stream.
/// </summary>
public sealed partial class OrderGrain : Grain, IOrderGrain, IOrderRecoveryGrain, IRemindable
{
    /// <summary>The per-order reminder of earlier versions; one still registered is honoured once, then dropped.</summary>
    private const string LegacyDriveReminderName = "drive-order-wallet-steps";

    private readonly IPersistentState<OrderState> _state;
    private readonly AssetCatalog _assets;
    private readonly UserOrderIndex _index;
    private readonly TimeProvider _clock;
    private readonly FaultInjectionOptions _faults;
    private readonly ILogger<OrderGrain> _logger;
    private readonly IPendingOrderIndex _pending;

    /// <summary>This activation entered the order in the pending-order index; until it takes it out, it need not again.</summary>
    private bool _indexed;

    /// <summary>How many events at the front of the committed outbox are published; dropped from storage by the next write.</summary>
    private int _published;

    public OrderGrain(
        [PersistentState("order", StorageNames.Orders)] IPersistentState<OrderState> state,
        AssetCatalog assets,
        UserOrderIndex index,
        IPendingOrderIndex pending,
        TimeProvider clock,
        IOptions<FaultInjectionOptions> faults,
        ILogger<OrderGrain> logger)
    {
        _state = state;
        _assets = assets;
        _index = index;
        _clock = clock;
        _faults = faults.Value;
        _logger = logger;
        _pending = pending;
    }

    private string OrderId => this.GetPrimaryKeyString();

    /// <summary>The state storage holds; never changed in place.</summary>
    private OrderState Committed => _state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Committed.HasPendingWork)
            this.RegisterGrainTimer(_ => DriveQuietlyAsync(), TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Drop the published events from storage so the next activation does not publish them again.
        // Best effort: if this is lost, consumers see duplicates, which they drop by event id.
        if (_published == 0) return;
        try { await CommitAsync(NewDraft()); }
        catch (WalletException ex) { LogOutboxTrimNotPersisted(OrderId, ex.Message); }
    }

    public async Task<OrderView> Place(PlaceOrder command)
    {
        if (Committed.Order is { } existing)
        {
            existing.RequireSamePlacement(command);
        }
        else
        {
            var order = Order.Place(OrderId, command, _assets, _clock.GetUtcNow());
            // Listed, and entered in the pending-order index, before it exists: a listing may name an
            // order whose write then failed (it is skipped), but never misses one that exists. The
            // two Redis writes go together (one round trip).
            await Task.WhenAll(
                SideDataCalls.OrStorageUnavailable(() => _index.AddAsync(order.UserId, OrderId, order.CreatedAt)),
                EnsureIndexedAsync());
            await CommitAsync(new OrderState { Order = order });
        }
        await DriveWalletStepsAsync();
        await PublishEventsAsync();
        return Committed.Order!.ToView();
    }

    public async Task<OrderView> Fill(FillOrder command)
    {
        RequireOrder();
        await DriveWalletStepsAsync();
        var draft = NewDraft();
        var fill = draft.Order!.ApplyFill(command, _clock.GetUtcNow());
        if (fill.Event is { } filled)
        {
            draft.UnpublishedEvents.Add(filled);
            await EnsureIndexedAsync();
            await CommitAsync(draft);
            FaultInjectionOptions.CrashIf(_faults.CrashAfterFillRecorded, "after fill recorded");
        }
        await DriveWalletStepsAsync();
        await PublishEventsAsync();
        if (Committed.Order!.Fills.Find(f => f.FillId == command.FillId)?.RefusedReason is { } refused)
            throw new WalletException(refused, $"fill '{command.FillId}' was refused by the user's wallet ({refused}) and undone");
        return Committed.Order.ToView();
    }

    public async Task<OrderView> Cancel()
    {
        RequireOrder();
        await DriveWalletStepsAsync();
        var draft = NewDraft();
        if (draft.Order!.Cancel(_clock.GetUtcNow()) is { } cancelled)
        {
            draft.ReleasePending = true;
            draft.UnpublishedEvents.Add(cancelled);
            await EnsureIndexedAsync();
            await CommitAsync(draft);
        }
        await DriveWalletStepsAsync();
        await PublishEventsAsync();
        return Committed.Order!.ToView();
    }

    public Task<OrderView?> Get() => Task.FromResult(Committed.Order?.ToView());

    public async Task FinishPendingWork()
    {
        await DriveQuietlyAsync();
        if (Committed.HasPendingWork)
        {
            await _pending.PostponeAsync(OrderId);
            return;
        }
        // Forgotten first: if the removal fails, the next change enters again (a spare entry costs
        // one sweep; a missing one would leave a step to the next call). The grain is not
        // reentrant, so no change can be recorded between the check and the removal.
        _indexed = false;
        await _pending.RemoveAsync(OrderId);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != LegacyDriveReminderName) return;
        await DriveQuietlyAsync();
        // The index takes over what is still unfinished before the reminder goes.
        if (Committed.HasPendingWork) await EnsureIndexedAsync();
        if (await this.GetReminder(LegacyDriveReminderName) is { } reminder) await this.UnregisterReminder(reminder);
    }

    /// <summary>
    /// Enters the order in the pending-order index unless this activation has, before a change with
    /// a wallet step or an event is recorded. A failure refuses the change before anything was written.
    /// </summary>
    private async Task EnsureIndexedAsync()
    {
        if (_indexed) return;
        await _pending.EnterBeforeRecordingAsync(OrderId, "this order change");
        _indexed = true;
    }

    private void RequireOrder()
    {
        if (Committed.Order is null)
            throw new WalletException(ErrorCodes.OrderNotFound, $"order '{OrderId}' was never placed");
    }

    /// <summary>Runs every recorded wallet step that has not completed yet, writing after each.</summary>
    private async Task DriveWalletStepsAsync()
    {
        if (Committed.Order is not { } order || !Committed.HasPendingWalletWork) return;
        var wallet = GrainFactory.GetGrainByKey<IWalletSettlementGrain>(order.UserId);
        try
        {
            if (order.Status == OrderStatus.Pending) await HoldFundsAsync(wallet, order);
            foreach (var fill in Committed.Order!.Fills.Where(f => !f.Settled && f.RefusedReason is null).ToList())
                await SettleFillAsync(wallet, Committed.Order, fill);
            if (Committed.ReleasePending)
            {
                await wallet.ReleaseHold(order.OrderId);
                var draft = NewDraft();
                draft.ReleasePending = false;
                await CommitAsync(draft);
            }
        }
        catch (Exception ex) when (ex is not WalletException)
        {
            LogWalletStepPending(ex, OrderId);
            throw new WalletException(ErrorCodes.OperationInProgress,
                "the order change is recorded and its wallet step is still running; retry or get the order");
        }
    }

    private async Task HoldFundsAsync(IWalletSettlementGrain wallet, Order order)
    {
        OrderEvent outcome;
        var draft = NewDraft();
        try
        {
            await wallet.PlaceHold(new PlaceHold(order.OrderId, order.SellAsset, order.SellAmount));
            outcome = draft.Order!.MarkFundsHeld(_clock.GetUtcNow());
        }
        catch (WalletException refused) when (refused.Kind is ErrorKind.FailedPrecondition or ErrorKind.InvalidArgument)
        {
            // The wallet refused and changed nothing: the order ends here, with the reason.
            outcome = draft.Order!.Reject(refused.Code, _clock.GetUtcNow());
        }
        draft.UnpublishedEvents.Add(outcome);
        await CommitAsync(draft);
    }

    private async Task SettleFillAsync(IWalletSettlementGrain wallet, Order order, OrderFill fill)
    {
        var draft = NewDraft();
        try
        {
            await wallet.SettleFill(new SettleFill(order.OrderId, fill.FillId, fill.Sold, order.BuyAsset, fill.Bought));
            draft.Order!.MarkSettled(fill.FillId);
        }
        catch (WalletException refused) when (refused.Code == ErrorCodes.BalanceOverflow)
        {
            // The one refusal a recorded fill can meet: the wallet cannot hold what it bought. Undo
            // the fill here (nothing of it moved on the wallet) instead of retrying it forever.
            draft.UnpublishedEvents.Add(draft.Order!.RefuseFill(fill.FillId, refused.Code, _clock.GetUtcNow()));
            LogFillRefused(OrderId, fill.FillId, refused.Code);
        }
        await CommitAsync(draft);
    }

    private async Task DriveQuietlyAsync()
    {
        try
        {
            await DriveWalletStepsAsync();
            await PublishEventsAsync();
            if (_published > 0) await CommitAsync(NewDraft());
        }
        catch (WalletException ex)
        {
            LogRecoveryIncomplete(OrderId, ex.Message);
        }
    }

    /// <summary>
    /// Publishes the committed outbox in order. The caller's operation is already durable, so a
    /// broker outage does not fail it: the events stay in the outbox, and the order in the
    /// pending-order index, until the next call or a sweep publishes them.
    /// </summary>
    private async Task PublishEventsAsync()
    {
        var outbox = Committed.UnpublishedEvents;
        if (_published >= outbox.Count || Committed.Order is not { } order) return;
        var stream = this.GetStreamProvider(OrderEventStream.ProviderName)
            .GetStream<OrderEvent>(StreamId.Create(OrderEventStream.Namespace, order.UserId));
        try
        {
            while (_published < outbox.Count)
            {
                await stream.OnNextAsync(outbox[_published]);
                _published++;
            }
        }
        catch (Exception ex)
        {
            LogEventsNotPublished(ex, OrderId, outbox.Count - _published);
        }
    }

    /// <summary>A copy of the committed state to change, without the events already published.</summary>
    private OrderState NewDraft()
    {
        var draft = Committed.Clone();
        draft.UnpublishedEvents.RemoveRange(0, _published);
        return draft;
    }

    /// <summary>Writes the draft; on success it becomes the committed state, on failure nothing changes.</summary>
    private async Task CommitAsync(OrderState draft)
    {
        var committed = _state.State;
        var published = _published;
        _state.State = draft;
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            _state.State = committed;
            LogWriteFailed(ex, OrderId);
            if (ex is InconsistentStateException) await ReloadAsync();
            throw new WalletException(ErrorCodes.StorageUnavailable,
                "storage is unavailable; nothing was changed unless a retry with the same key says so");
        }
        // The draft was made without the first `published` events; any published since stay counted.
        _published -= published;
    }

    /// <summary>Storage moved on without this activation (ETag conflict): take what it holds, or leave and let a new activation do so.</summary>
    private async Task ReloadAsync()
    {
        try
        {
            await _state.ReadStateAsync();
            _published = 0;
        }
        catch (Exception ex)
        {
            LogWriteFailed(ex, OrderId);
            DeactivateOnIdle();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {Order}: state write failed")]
    private partial void LogWriteFailed(Exception exception, string order);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {Order}: wallet step not completed yet; will retry")]
    private partial void LogWalletStepPending(Exception exception, string order);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {Order}: recovery incomplete: {Reason}")]
    private partial void LogRecoveryIncomplete(string order, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {Order}: {Count} events not published yet; will retry")]
    private partial void LogEventsNotPublished(Exception exception, string order, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {Order}: outbox trim not persisted: {Reason}")]
    private partial void LogOutboxTrimNotPersisted(string order, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Order {Order}: fill {Fill} refused by the wallet ({Reason}) and undone")]
    private partial void LogFillRefused(string order, string fill, string reason);
}
