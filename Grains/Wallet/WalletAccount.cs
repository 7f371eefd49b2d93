using OrleansWallet.Assets;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Money;
using LedgerWithdrawalRequest = OrleansWallet.Ledger.Withdrawals.WithdrawalRequest;

namespace OrleansWallet.Wallet;

/// <summary>
/// The rules of one wallet, over a state it may change; no Orleans, no I/O, so unit tests run them
/// directly. The grain hands it a copy of its committed state, so a refused operation — or one
/// that throws halfway, say on a sum above 2^256-1 — never reaches the state the grain keeps.
/// Every method still validates before it changes anything. Each movement appends its balanced
/// journal entries and its answer to the state under one new sequence number, so the write that
/// persists the balances persists them too.
/// </summary>
public sealed class WalletAccount
{
    /// <summary>Destination addresses are checked for chain format by the ledger; here only bounded.</summary>
    public const int AddressLengthMax = 128;

    /// <summary>
    /// 10,000 journal entries (~5,000 operations) may wait for Postgres per wallet: normally the
    /// silo's writer keeps the outbox near empty, so this is reached only in a long Postgres outage
    /// on a busy wallet. The outbox is rewritten with every state write (~200 bytes an entry), so
    /// beyond it new operations are refused (<see cref="ErrorCodes.LedgerOutboxFull"/>) rather than
    /// letting every write of that wallet grow without bound.
    /// </summary>
    public const int LedgerOutboxEntriesMax = 10_000;

    /// <summary>The most entries one movement writes (an order fill: two per asset).</summary>
    private const int EntriesPerMovementMax = 4;

    private static readonly IReadOnlyDictionary<string, OperationRecord> NothingArchived =
        new Dictionary<string, OperationRecord>(StringComparer.Ordinal);

    private readonly WalletState _state;
    private readonly AssetCatalog _assets;
    private readonly TimeProvider _time;
    private readonly IReadOnlyDictionary<string, OperationRecord> _archived;

    /// <param name="archived">
    /// What the operation archive holds for the keys this call may need (absent: never applied).
    /// Needed only once <see cref="WalletState.ArchiveInUse"/> is set.
    /// </param>
    public WalletAccount(string userId, WalletState state, AssetCatalog assets, TimeProvider? time = null,
        IReadOnlyDictionary<string, OperationRecord>? archived = null)
    {
        UserId = userId;
        _state = state;
        _assets = assets;
        _time = time ?? TimeProvider.System;
        _archived = archived ?? NothingArchived;
    }

    public string UserId { get; }

    public IReadOnlyList<AssetBalance> Balances() =>
        _state.Balances.OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => new AssetBalance(b.Key, b.Value.Available, b.Value.Held)).ToList();

    public AssetBalance BalanceOf(string asset) =>
        _state.Balances.TryGetValue(asset, out var entry)
            ? new AssetBalance(asset, entry.Available, entry.Held)
            : new AssetBalance(asset, Amount.Zero, Amount.Zero);

    /// <summary>Checks a deposit's fields without looking at state; the grain does this before claiming the tx id.</summary>
    public AssetInfo ValidateDeposit(CreditDeposit command)
    {
        Identifiers.RequireKey(command.TxId, "tx_id");
        var asset = _assets.Require(command.Asset, "asset");
        RequirePositive(command.Amount, "amount");
        return asset;
    }

    public OperationResult CreditDeposit(CreditDeposit command)
    {
        ValidateDeposit(command);
        var key = WalletKeys.Deposit(command.TxId);
        var fingerprint = DepositFingerprint(command);
        if (TryReplay(key, fingerprint, out var replay)) return replay;
        RequireOutboxRoom();

        var sequence = NextSequence();
        Credit(command.Asset, command.Amount);
        Journal(LedgerMovements.Deposit(OperationId(key), UserId, command.Asset, command.Amount.Value, Now), sequence);
        return Record(key, fingerprint, command.Asset, sequence);
    }

    /// <summary>A deposit's payload as text; the tx id's claim (see DepositClaims) carries the user in front of it.</summary>
    public static string DepositFingerprint(CreditDeposit command) => $"{command.Asset}|{command.Amount}";

    /// <summary>
    /// Everything <see cref="RequestWithdrawal"/> checks that needs no Postgres, changing nothing:
    /// either the recorded answer of a replay, or the request the withdrawal policy must record
    /// (under a system-wide id) before the funds are held.
    /// </summary>
    public WithdrawalPreparation PrepareWithdrawal(RequestWithdrawal command)
    {
        var (key, fingerprint, asset) = ValidateWithdrawal(command);
        if (TryReplay(key, fingerprint, out var replay)) return new WithdrawalPreparation(replay, null);
        RequireAvailable(command.Asset, command.Amount);
        RequireOutboxRoom();
        return new WithdrawalPreparation(null, new LedgerWithdrawalRequest(
            OperationId(key), UserId, command.Asset, command.Amount.Value, asset.Chain, command.Address));
    }

    /// <summary>Holds the funds; call once the withdrawal policy has allowed <see cref="PrepareWithdrawal"/>'s request.</summary>
    public OperationResult RequestWithdrawal(RequestWithdrawal command)
    {
        var (key, fingerprint, _) = ValidateWithdrawal(command);
        if (TryReplay(key, fingerprint, out var replay)) return replay;
        RequireAvailable(command.Asset, command.Amount);
        RequireOutboxRoom();

        var sequence = NextSequence();
        var balance = Entry(command.Asset);
        _state.Balances[command.Asset] = new BalanceEntry(balance.Available - command.Amount, balance.Held + command.Amount);
        _state.PendingWithdrawals[command.WithdrawalId] = new WithdrawalRecord(command.Asset, command.Amount, command.Address);
        Journal(LedgerMovements.WithdrawalRequest(OperationId(key), UserId, command.Asset, command.Amount.Value, Now), sequence);
        return Record(key, fingerprint, command.Asset, sequence);
    }

    private (string Key, string Fingerprint, AssetInfo Asset) ValidateWithdrawal(RequestWithdrawal command)
    {
        var id = Identifiers.RequireKey(command.WithdrawalId, "withdrawal_id");
        var asset = _assets.Require(command.Asset, "asset");
        RequirePositive(command.Amount, "amount");
        RequireAddress(command.Address);
        return (WalletKeys.Withdrawal(id), $"{command.Asset}|{command.Amount}|{command.Address}", asset);
    }

    /// <summary>The keys a withdrawal's completion or failure may need looked up.</summary>
    public static string[] WithdrawalSettlementKeys(string withdrawalId) =>
        [WalletKeys.WithdrawalComplete(withdrawalId), WalletKeys.WithdrawalFail(withdrawalId), WalletKeys.Withdrawal(withdrawalId)];

    /// <summary>The id the withdrawal policy knows a withdrawal of this wallet by.</summary>
    public string PolicyWithdrawalId(string withdrawalId) => OperationId(WalletKeys.Withdrawal(withdrawalId));

    public OperationResult CompleteWithdrawal(string withdrawalId) => SettleWithdrawal(withdrawalId, completed: true);

    public OperationResult FailWithdrawal(string withdrawalId) => SettleWithdrawal(withdrawalId, completed: false);

    private OperationResult SettleWithdrawal(string withdrawalId, bool completed)
    {
        var id = Identifiers.RequireKey(withdrawalId, "withdrawal_id");
        var key = completed ? WalletKeys.WithdrawalComplete(id) : WalletKeys.WithdrawalFail(id);
        if (TryReplay(key, "", out var replay)) return replay;
        if (!_state.PendingWithdrawals.TryGetValue(id, out var withdrawal))
        {
            var otherKey = completed ? WalletKeys.WithdrawalFail(id) : WalletKeys.WithdrawalComplete(id);
            if (Find(otherKey) is not null)
                throw new WalletException(ErrorCodes.WithdrawalNotPending,
                    $"withdrawal '{id}' is already {(completed ? "failed" : "completed")}");
            if (Find(WalletKeys.Withdrawal(id)) is not null)
                throw new WalletException(ErrorCodes.WithdrawalNotPending, $"withdrawal '{id}' is no longer pending");
            throw new WalletException(ErrorCodes.WithdrawalNotFound, $"withdrawal '{id}' was never requested on this wallet");
        }
        RequireOutboxRoom();

        var sequence = NextSequence();
        var balance = Entry(withdrawal.Asset);
        var available = completed ? balance.Available : balance.Available + withdrawal.Amount;
        _state.Balances[withdrawal.Asset] = new BalanceEntry(available, balance.Held - withdrawal.Amount);
        _state.PendingWithdrawals.Remove(id);
        Journal(completed
            ? LedgerMovements.WithdrawalComplete(OperationId(key), UserId, withdrawal.Asset, withdrawal.Amount.Value, Now)
            : LedgerMovements.WithdrawalFail(OperationId(key), UserId, withdrawal.Asset, withdrawal.Amount.Value, Now), sequence);
        // The policy's status follows through the same outbox: the money state is right at once,
        // and a failed withdrawal keeps counting towards the day's limit only until Postgres hears of it.
        _state.WithdrawalStatusOutbox.Add(new WithdrawalStatusUpdate(PolicyWithdrawalId(id), completed, sequence));
        return Record(key, "", withdrawal.Asset, sequence);
    }

    /// <summary>
    /// First leg of a transfer: debits this wallet into its transit bucket (journaled now) and
    /// records the intent to credit the payee. Returns the recorded answer if the transfer already
    /// completed, or the intent if it is debited and not yet credited.
    /// </summary>
    public TransferStart BeginTransfer(TransferFunds command)
    {
        var key = WalletKeys.Transfer(Identifiers.RequireKey(command.Key, "idempotency_key"));
        var toUserId = Identifiers.RequireUserId(command.ToUserId, "to_user_id");
        if (toUserId == UserId)
            throw new WalletException(ErrorCodes.TransferToSelf, "to_user_id must differ from the payer");
        _assets.Require(command.Asset, "asset");
        RequirePositive(command.Amount, "amount");
        var fingerprint = $"{toUserId}|{command.Asset}|{command.Amount}";
        if (_state.PendingTransfersOut.TryGetValue(key, out var pending))
        {
            RequireSameFingerprint(key, pending.Fingerprint, fingerprint);
            return new TransferStart(key, null, pending);
        }
        if (TryReplay(key, fingerprint, out var replay)) return new TransferStart(key, replay, null);
        RequireAvailable(command.Asset, command.Amount);
        RequireOutboxRoom();

        var sequence = NextSequence();
        var balance = Entry(command.Asset);
        _state.Balances[command.Asset] = balance with { Available = balance.Available - command.Amount };
        Journal(LedgerMovements.TransferOut(OperationId(key), UserId, command.Asset, command.Amount.Value, Now), sequence);
        var intent = new PendingTransfer(toUserId, command.Asset, command.Amount, fingerprint, BalanceOf(command.Asset), sequence);
        _state.PendingTransfersOut[key] = intent;
        return new TransferStart(key, null, intent) { IsNew = true };
    }

    /// <summary>
    /// The payee confirmed the credit: the intent becomes the transfer's recorded answer. Both legs
    /// are journaled already (one by each wallet), so this moves nothing. Idempotent.
    /// </summary>
    public OperationResult CompleteTransfer(string key)
    {
        if (!_state.PendingTransfersOut.Remove(key, out var pending))
            return Find(key) is { } done ? done.ToReplay() : throw new InvalidOperationException($"transfer {key} has no recorded intent");
        var result = new OperationResult(key, pending.Balance, Replayed: false);
        _state.Unarchived.Add(new OperationRecord(key, pending.Fingerprint, pending.Asset, pending.Balance.Available,
            pending.Balance.Held, NextSequence()));
        return result;
    }

    /// <summary>
    /// The payee refused the credit for good (it can never accept it): the debit returns to this
    /// wallet's available through its own journal operation, and the transfer's key keeps the
    /// refusal, so a retry is refused the same way and moves nothing.
    /// </summary>
    public WalletException RefundTransfer(string key, WalletException payeeRefusal)
    {
        if (!_state.PendingTransfersOut.Remove(key, out var pending))
            throw new InvalidOperationException($"transfer {key} has no recorded intent");
        var refusal = new WalletException(ErrorCodes.TransferRefused,
            $"the payee's wallet refused the credit ({payeeRefusal.Code}: {payeeRefusal.Message}); the amount was returned to the payer");
        var sequence = NextSequence();
        ReturnToAvailable(pending.Asset, pending.Amount);
        var clientKey = WalletKeys.ClientKeyOfTransfer(key);
        Journal(LedgerMovements.TransferRefund(OperationId(WalletKeys.TransferRefund(clientKey)), UserId, pending.Asset,
            pending.Amount.Value, Now), sequence);
        var balance = BalanceOf(pending.Asset);
        _state.Unarchived.Add(new OperationRecord(key, pending.Fingerprint, pending.Asset, balance.Available, balance.Held,
            sequence, refusal.Code, refusal.Message));
        return refusal;
    }

    public IReadOnlyDictionary<string, PendingTransfer> PendingTransfers => _state.PendingTransfersOut;

    /// <summary>The credit leg of another wallet's transfer, keyed by payer and the payer's key; journals the second leg.</summary>
    public OperationResult ReceiveTransfer(IncomingTransfer transfer)
    {
        var fromUserId = Identifiers.RequireUserId(transfer.FromUserId, "from_user_id");
        var key = WalletKeys.TransferIn(fromUserId, Identifiers.RequireKey(transfer.Key, "idempotency_key"));
        if (fromUserId == UserId) throw new WalletException(ErrorCodes.TransferToSelf, "a wallet cannot pay itself");
        _assets.Require(transfer.Asset, "asset");
        RequirePositive(transfer.Amount, "amount");
        var fingerprint = $"{transfer.Asset}|{transfer.Amount}";
        if (TryReplay(key, fingerprint, out var replay)) return replay;
        RequireOutboxRoom();

        var sequence = NextSequence();
        Credit(transfer.Asset, transfer.Amount);
        Journal(LedgerMovements.TransferIn(OperationId(key), fromUserId, UserId, transfer.Asset, transfer.Amount.Value, Now), sequence);
        return Record(key, fingerprint, transfer.Asset, sequence);
    }

    public OperationResult PlaceHold(PlaceHold command)
    {
        var orderId = Identifiers.RequireOrderId(command.OrderId);
        var key = WalletKeys.Hold(orderId);
        _assets.Require(command.Asset, "sell_asset");
        RequirePositive(command.Amount, "sell_amount");
        var fingerprint = $"{command.Asset}|{command.Amount}";
        if (TryReplay(key, fingerprint, out var replay)) return replay;
        RequireAvailable(command.Asset, command.Amount);
        RequireOutboxRoom();

        var sequence = NextSequence();
        var balance = Entry(command.Asset);
        _state.Balances[command.Asset] = new BalanceEntry(balance.Available - command.Amount, balance.Held + command.Amount);
        _state.Holds[orderId] = new HoldRecord(command.Asset, command.Amount);
        Journal(LedgerMovements.OrderHold(OperationId(key), UserId, command.Asset, command.Amount.Value, Now), sequence);
        return Record(key, fingerprint, command.Asset, sequence);
    }

    public OperationResult SettleFill(SettleFill command)
    {
        var orderId = Identifiers.RequireOrderId(command.OrderId);
        var key = WalletKeys.Fill(orderId, Identifiers.RequireKey(command.FillId, "fill_id"));
        _assets.Require(command.BoughtAsset, "buy_asset");
        RequirePositive(command.Sold, "sold_amount");
        RequirePositive(command.Bought, "bought_amount");
        var fingerprint = $"{command.Sold}|{command.BoughtAsset}|{command.Bought}";
        if (TryReplay(key, fingerprint, out var replay)) return replay;
        if (!_state.Holds.TryGetValue(orderId, out var hold))
            throw new WalletException(ErrorCodes.OrderNotFound, $"order '{orderId}' holds nothing on this wallet");
        if (command.Sold > hold.Remaining)
            throw new WalletException(ErrorCodes.OrderOverfill,
                $"fill sells {command.Sold} but order '{orderId}' holds only {hold.Remaining}");
        if (hold.Asset == command.BoughtAsset)
            throw new WalletException(ErrorCodes.SameAssetOrder, "a fill must buy another asset than the one it sells");
        RequireOutboxRoom();

        var sequence = NextSequence();
        var sold = Entry(hold.Asset);
        _state.Balances[hold.Asset] = sold with { Held = sold.Held - command.Sold };
        // The sold asset is settled first, so the bought one reads its updated entry.
        Credit(command.BoughtAsset, command.Bought);
        var remaining = hold.Remaining - command.Sold;
        if (remaining.IsZero) _state.Holds.Remove(orderId);
        else _state.Holds[orderId] = hold with { Remaining = remaining };
        Journal(LedgerMovements.OrderFill(OperationId(key), UserId, hold.Asset, command.Sold.Value,
            command.BoughtAsset, command.Bought.Value, Now), sequence);
        return Record(key, fingerprint, command.BoughtAsset, sequence);
    }

    public OperationResult ReleaseHold(string orderId)
    {
        Identifiers.RequireOrderId(orderId);
        var key = WalletKeys.Release(orderId);
        if (TryReplay(key, "", out var replay)) return replay;
        if (!_state.Holds.TryGetValue(orderId, out var hold))
        {
            // Fully filled orders hold nothing: releasing "the rest" of nothing is a no-op, recorded
            // like any other so the answer stays the same on replay.
            return Record(key, "", null, NextSequence());
        }
        RequireOutboxRoom();

        var sequence = NextSequence();
        _state.Holds.Remove(orderId);
        var balance = Entry(hold.Asset);
        // A hold is removed when a fill takes its last unit, so what remains here is never zero.
        _state.Balances[hold.Asset] = new BalanceEntry(balance.Available + hold.Remaining, balance.Held - hold.Remaining);
        Journal(LedgerMovements.OrderRelease(OperationId(key), UserId, hold.Asset, hold.Remaining.Value, Now), sequence);
        return Record(key, "", hold.Asset, sequence);
    }

    /// <summary>
    /// The wallet's invariant: per asset, held equals the sum of pending withdrawals and open
    /// holds. (Non-negativity is guaranteed by <see cref="Amount"/> itself.) Returns the first
    /// violation, or null.
    /// </summary>
    public string? FindInvariantViolation()
    {
        var expectedHeld = new Dictionary<string, System.Numerics.BigInteger>(StringComparer.Ordinal);
        void Add(string asset, Amount amount) => expectedHeld[asset] = expectedHeld.GetValueOrDefault(asset) + amount.Value;
        foreach (var w in _state.PendingWithdrawals.Values) Add(w.Asset, w.Amount);
        foreach (var h in _state.Holds.Values) Add(h.Asset, h.Remaining);
        foreach (var (asset, entry) in _state.Balances)
        {
            var expected = expectedHeld.GetValueOrDefault(asset);
            if (entry.Held.Value != expected) return $"{asset}: held {entry.Held} but pending withdrawals and holds sum to {expected}";
        }
        return expectedHeld.Keys.FirstOrDefault(a => !_state.Balances.ContainsKey(a)) is { } missing
            ? $"{missing}: held funds without a balance entry"
            : null;
    }

    /// <summary>Journal entries not yet in Postgres, oldest first.</summary>
    public IReadOnlyList<LedgerOutboxEntry> LedgerOutbox => _state.LedgerOutbox;

    public IReadOnlyList<WithdrawalStatusUpdate> WithdrawalStatusOutbox => _state.WithdrawalStatusOutbox;

    /// <summary>
    /// Drops what the silo's writer has put elsewhere: journal entries and withdrawal statuses of
    /// operations up to <paramref name="journaledThrough"/>, answers up to <paramref name="archivedThrough"/>.
    /// Returns whether any answer left the state (so keys must now be looked up in the archive).
    /// </summary>
    public bool Trim(long journaledThrough, long archivedThrough)
    {
        _state.LedgerOutbox.RemoveAll(e => e.Sequence <= journaledThrough);
        _state.WithdrawalStatusOutbox.RemoveAll(u => u.Sequence <= journaledThrough);
        var archived = _state.Unarchived.RemoveAll(r => r.Sequence <= archivedThrough);
        if (archived > 0) _state.ArchiveInUse = true;
        return archived > 0;
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private string OperationId(string key) => LedgerOperationIds.For(UserId, key);

    private long NextSequence() => ++_state.LastSequence;

    private void Journal(IReadOnlyList<LedgerEntry> entries, long sequence)
    {
        foreach (var entry in entries) _state.LedgerOutbox.Add(LedgerOutboxEntry.From(entry, sequence));
    }

    private void RequireOutboxRoom()
    {
        if (_state.LedgerOutbox.Count + EntriesPerMovementMax > LedgerOutboxEntriesMax)
            throw new WalletException(ErrorCodes.LedgerOutboxFull,
                $"{_state.LedgerOutbox.Count} ledger entries of this wallet are waiting for the ledger database " +
                $"(at most {LedgerOutboxEntriesMax}); nothing was changed, retry with the same key later");
    }

    private BalanceEntry Entry(string asset) =>
        _state.Balances.TryGetValue(asset, out var entry) ? entry : new BalanceEntry(Amount.Zero, Amount.Zero);

    /// <summary>
    /// Money arriving from outside this wallet. Refused if the asset's total here — available, held
    /// and on its way out in transfers — would pass 2^256-1: every later move between those
    /// (a release, a failed withdrawal, a refund) then fits without a check that could fail halfway.
    /// </summary>
    private void Credit(string asset, Amount amount)
    {
        var balance = Entry(asset);
        var total = balance.Available.Value + balance.Held.Value + amount.Value;
        foreach (var transfer in _state.PendingTransfersOut.Values)
            if (transfer.Asset == asset) total += transfer.Amount.Value;
        if (total > Amount.MaxValue)
            throw new WalletException(ErrorCodes.BalanceOverflow,
                $"{asset}: crediting {amount} would take this wallet's total past 2^256-1; nothing was changed");
        _state.Balances[asset] = balance with { Available = balance.Available + amount };
    }

    /// <summary>Money moving back to available inside the wallet's total (a refund): fits by the bound <see cref="Credit"/> keeps.</summary>
    private void ReturnToAvailable(string asset, Amount amount)
    {
        var balance = Entry(asset);
        _state.Balances[asset] = balance with { Available = balance.Available + amount };
    }

    /// <summary>The recorded answer for a key: in this state if not yet archived, else in what the archive returned.</summary>
    private OperationRecord? Find(string key)
    {
        // Newest last: an operation is searched from the end, where a just-applied one sits.
        for (var i = _state.Unarchived.Count - 1; i >= 0; i--)
            if (_state.Unarchived[i].Key == key) return _state.Unarchived[i];
        return _archived.TryGetValue(key, out var archived) ? archived : null;
    }

    private bool TryReplay(string key, string fingerprint, out OperationResult result)
    {
        if (Find(key) is { } record)
        {
            RequireSameFingerprint(key, record.Fingerprint, fingerprint);
            result = record.ToReplay();
            return true;
        }
        result = null!;
        return false;
    }

    private static void RequireSameFingerprint(string key, string recorded, string requested)
    {
        if (recorded != requested)
            throw new WalletException(ErrorCodes.IdempotencyConflict,
                $"key '{key[(key.IndexOf('/') + 1)..]}' was already used for a different request");
    }

    private OperationResult Record(string key, string fingerprint, string? asset, long sequence)
    {
        var balance = asset is null ? new AssetBalance("", Amount.Zero, Amount.Zero) : BalanceOf(asset);
        _state.Unarchived.Add(new OperationRecord(key, fingerprint, asset, balance.Available, balance.Held, sequence));
        return new OperationResult(key, balance, Replayed: false);
    }

    private void RequireAvailable(string asset, Amount amount)
    {
        var available = BalanceOf(asset).Available;
        if (available < amount)
            throw new WalletException(ErrorCodes.InsufficientFunds,
                $"insufficient funds: {asset} available {available}, needed {amount}");
    }

    private static void RequirePositive(Amount amount, string field)
    {
        if (amount.IsZero) throw new WalletException(ErrorCodes.AmountZero, $"{field} must be greater than zero");
    }

    private static void RequireAddress(string? address)
    {
        if (string.IsNullOrWhiteSpace(address))
            throw new WalletException(ErrorCodes.FieldMalformed, "address is required");
        if (address.Length > AddressLengthMax || address.Any(char.IsWhiteSpace))
            throw new WalletException(ErrorCodes.FieldMalformed,
                $"address must be at most {AddressLengthMax} characters with no spaces");
    }
}

/// <summary>
/// The outcome of <see cref="WalletAccount.PrepareWithdrawal"/>: a replay's answer, or the request
/// the withdrawal policy must allow first.
/// </summary>
public sealed record WithdrawalPreparation(OperationResult? Replay, LedgerWithdrawalRequest? PolicyRequest);

/// <summary>
/// The outcome of <see cref="WalletAccount.BeginTransfer"/>: either the transfer had completed
/// (<see cref="Completed"/>) or there is an intent to deliver (<see cref="Pending"/>).
/// </summary>
public sealed record TransferStart(string Key, OperationResult? Completed, PendingTransfer? Pending)
{
    /// <summary>True when this call made the debit (so it must be persisted).</summary>
    public bool IsNew { get; init; }
}
