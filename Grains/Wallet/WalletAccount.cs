using OrleansWallet.Assets;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Money;
using LedgerWithdrawalRequest = OrleansWallet.Ledger.Withdrawals.WithdrawalRequest;

namespace OrleansWallet.Wallet;

/// <summary>
/// The rules of one wallet, over its state; no Orleans, no I/O, so unit tests run them directly.
/// Every method validates everything before it changes anything: a refused operation leaves
/// the state exactly as it was. Keys are namespaced per operation kind so that, say, a deposit
/// tx id can never collide with a withdrawal id. Each movement also appends its balanced journal
/// entries to the state's ledger outbox, so they are persisted in the same write as the balances.
/// </summary>
public sealed class WalletAccount
{
    /// <summary>Destination addresses are checked for chain format by the ledger; here only bounded.</summary>
    public const int AddressLengthMax = 128;

    /// <summary>
    /// 10,000 journal entries (~5,000 operations) may wait for Postgres per wallet. The whole
    /// outbox is rewritten with every state write (~200 bytes an entry with typical ids), so this
    /// keeps a write near 2 MB at worst;
    /// beyond it new operations are refused (<see cref="ErrorCodes.LedgerOutboxFull"/>) rather than
    /// letting every write of a busy wallet grow without bound during a long outage.
    /// </summary>
    public const int LedgerOutboxEntriesMax = 10_000;

    /// <summary>The most entries one movement writes (an order fill: two per asset).</summary>
    private const int EntriesPerMovementMax = 4;

    private readonly WalletState _state;
    private readonly AssetCatalog _assets;
    private readonly TimeProvider _time;

    public WalletAccount(string userId, WalletState state, AssetCatalog assets, TimeProvider? time = null)
    {
        UserId = userId;
        _state = state;
        _assets = assets;
        _time = time ?? TimeProvider.System;
    }

    public string UserId { get; }

    public IReadOnlyList<AssetBalance> Balances() =>
        _state.Balances.OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => new AssetBalance(b.Key, b.Value.Available, b.Value.Held)).ToList();

    public AssetBalance BalanceOf(string asset) =>
        _state.Balances.TryGetValue(asset, out var entry)
            ? new AssetBalance(asset, entry.Available, entry.Held)
            : new AssetBalance(asset, Amount.Zero, Amount.Zero);

    public OperationResult CreditDeposit(CreditDeposit command)
    {
        var key = "deposit:" + Identifiers.RequireKey(command.TxId, "tx_id");
        _assets.Require(command.Asset, "asset");
        RequirePositive(command.Amount, "amount");
        var fingerprint = $"{command.Asset}|{command.Amount}";
        if (TryReplay(key, fingerprint, out var replay)) return replay;
        RequireOutboxRoom();

        Entry(command.Asset).Available += command.Amount;
        Journal(LedgerMovements.Deposit(OperationId(key), UserId, command.Asset, command.Amount.Value, Now));
        return Record(key, fingerprint, command.Asset);
    }

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
        var id = command.WithdrawalId;
        if (TryReplay(key, fingerprint, out var replay)) return replay;
        RequireAvailable(command.Asset, command.Amount);
        RequireOutboxRoom();

        var entry = Entry(command.Asset);
        entry.Available -= command.Amount;
        entry.Held += command.Amount;
        _state.Withdrawals[id] = new WithdrawalRecord
        {
            Asset = command.Asset, Amount = command.Amount, Address = command.Address, Status = WithdrawalStatus.Pending,
        };
        Journal(LedgerMovements.WithdrawalRequest(OperationId(key), UserId, command.Asset, command.Amount.Value, Now));
        return Record(key, fingerprint, command.Asset);
    }

    private (string Key, string Fingerprint, AssetInfo Asset) ValidateWithdrawal(RequestWithdrawal command)
    {
        var id = Identifiers.RequireKey(command.WithdrawalId, "withdrawal_id");
        var asset = _assets.Require(command.Asset, "asset");
        RequirePositive(command.Amount, "amount");
        RequireAddress(command.Address);
        return ("withdraw:" + id, $"{command.Asset}|{command.Amount}|{command.Address}", asset);
    }

    /// <summary>The id the withdrawal policy knows a withdrawal of this wallet by.</summary>
    public string PolicyWithdrawalId(string withdrawalId) => OperationId("withdraw:" + withdrawalId);

    public OperationResult CompleteWithdrawal(string withdrawalId) =>
        SettleWithdrawal(withdrawalId, WithdrawalStatus.Completed);

    public OperationResult FailWithdrawal(string withdrawalId) =>
        SettleWithdrawal(withdrawalId, WithdrawalStatus.Failed);

    private OperationResult SettleWithdrawal(string withdrawalId, WithdrawalStatus outcome)
    {
        var id = Identifiers.RequireKey(withdrawalId, "withdrawal_id");
        var key = (outcome == WithdrawalStatus.Completed ? "withdraw-complete:" : "withdraw-fail:") + id;
        if (TryReplay(key, "", out var replay)) return replay;
        if (!_state.Withdrawals.TryGetValue(id, out var withdrawal))
            throw new WalletException(ErrorCodes.WithdrawalNotFound, $"withdrawal '{id}' was never requested on this wallet");
        if (withdrawal.Status != WithdrawalStatus.Pending)
            throw new WalletException(ErrorCodes.WithdrawalNotPending,
                $"withdrawal '{id}' is already {withdrawal.Status.ToString().ToLowerInvariant()}");
        RequireOutboxRoom();

        var entry = Entry(withdrawal.Asset);
        entry.Held -= withdrawal.Amount;
        if (outcome == WithdrawalStatus.Failed) entry.Available += withdrawal.Amount;
        withdrawal.Status = outcome;
        var completed = outcome == WithdrawalStatus.Completed;
        Journal(completed
            ? LedgerMovements.WithdrawalComplete(OperationId(key), UserId, withdrawal.Asset, withdrawal.Amount.Value, Now)
            : LedgerMovements.WithdrawalFail(OperationId(key), UserId, withdrawal.Asset, withdrawal.Amount.Value, Now));
        // The policy's status follows through the same outbox: the money state is right at once,
        // and a failed withdrawal keeps counting towards the day's limit only until Postgres hears of it.
        _state.WithdrawalStatusOutbox.Add(new WithdrawalStatusUpdate(PolicyWithdrawalId(id), completed));
        return Record(key, "", withdrawal.Asset);
    }

    /// <summary>
    /// First leg of a transfer: debits this wallet and records the intent to credit the payee.
    /// Returns the recorded answer if the transfer already completed.
    /// </summary>
    public TransferStart BeginTransfer(TransferFunds command)
    {
        var key = TransferKey(command.Key);
        var toUserId = Identifiers.RequireUserId(command.ToUserId, "to_user_id");
        if (toUserId == UserId)
            throw new WalletException(ErrorCodes.TransferToSelf, "to_user_id must differ from the payer");
        _assets.Require(command.Asset, "asset");
        RequirePositive(command.Amount, "amount");
        var fingerprint = $"{toUserId}|{command.Asset}|{command.Amount}";
        if (TryReplay(key, fingerprint, out var replay)) return new TransferStart(replay, null);
        if (_state.PendingTransfersOut.TryGetValue(key, out var pending))
        {
            RequireSameFingerprint(key, pending.Fingerprint, fingerprint);
            return new TransferStart(null, pending);
        }
        RequireAvailable(command.Asset, command.Amount);
        RequireOutboxRoom();

        Entry(command.Asset).Available -= command.Amount;
        var intent = new PendingTransfer(toUserId, command.Asset, command.Amount, fingerprint);
        _state.PendingTransfersOut[key] = intent;
        return new TransferStart(null, intent) { IsNew = true };
    }

    /// <summary>
    /// Second leg: the payee confirmed the credit; the transfer's answer is recorded, with the
    /// journal entries of both sides, so at every quiescent point the journal matches the balances.
    /// Never refused for a full outbox: the movement already happened on both wallets.
    /// <paramref name="key"/> is the namespaced key (<see cref="TransferKey"/>).
    /// </summary>
    public OperationResult CompleteTransfer(string key)
    {
        if (_state.Operations.TryGetValue(key, out var done)) return done.Result.AsReplay();
        if (!_state.PendingTransfersOut.Remove(key, out var pending))
            throw new InvalidOperationException($"transfer {key} has no recorded intent");
        Journal(LedgerMovements.Transfer(OperationId(key), UserId, pending.ToUserId, pending.Asset, pending.Amount.Value, Now));
        return Record(key, pending.Fingerprint, pending.Asset);
    }

    public IReadOnlyDictionary<string, PendingTransfer> PendingTransfers => _state.PendingTransfersOut;

    public static string TransferKey(string clientKey) => "transfer:" + Identifiers.RequireKey(clientKey, "idempotency_key");

    public static string ClientKeyOf(string transferKey) => transferKey["transfer:".Length..];

    public OperationResult ReceiveTransfer(IncomingTransfer transfer)
    {
        var key = $"transfer-in:{transfer.FromUserId}:{transfer.Key}";
        _assets.Require(transfer.Asset, "asset");
        RequirePositive(transfer.Amount, "amount");
        var fingerprint = $"{transfer.Asset}|{transfer.Amount}";
        if (TryReplay(key, fingerprint, out var replay)) return replay;

        Entry(transfer.Asset).Available += transfer.Amount;
        return Record(key, fingerprint, transfer.Asset);
    }

    public OperationResult PlaceHold(PlaceHold command)
    {
        var key = "hold:" + command.OrderId;
        _assets.Require(command.Asset, "sell_asset");
        RequirePositive(command.Amount, "sell_amount");
        var fingerprint = $"{command.Asset}|{command.Amount}";
        if (TryReplay(key, fingerprint, out var replay)) return replay;
        RequireAvailable(command.Asset, command.Amount);
        RequireOutboxRoom();

        var entry = Entry(command.Asset);
        entry.Available -= command.Amount;
        entry.Held += command.Amount;
        _state.Holds[command.OrderId] = new HoldRecord { Asset = command.Asset, Remaining = command.Amount };
        Journal(LedgerMovements.OrderHold(OperationId(key), UserId, command.Asset, command.Amount.Value, Now));
        return Record(key, fingerprint, command.Asset);
    }

    public OperationResult SettleFill(SettleFill command)
    {
        var key = $"fill:{command.OrderId}:{command.FillId}";
        _assets.Require(command.BoughtAsset, "buy_asset");
        RequirePositive(command.Sold, "sold_amount");
        var fingerprint = $"{command.Sold}|{command.BoughtAsset}|{command.Bought}";
        if (TryReplay(key, fingerprint, out var replay)) return replay;
        if (!_state.Holds.TryGetValue(command.OrderId, out var hold))
            throw new WalletException(ErrorCodes.OrderNotFound, $"order '{command.OrderId}' holds nothing on this wallet");
        if (command.Sold > hold.Remaining)
            throw new WalletException(ErrorCodes.OrderOverfill,
                $"fill sells {command.Sold} but order '{command.OrderId}' holds only {hold.Remaining}");
        RequireOutboxRoom();

        Journal(LedgerMovements.OrderFill(OperationId(key), UserId, hold.Asset, command.Sold.Value,
            command.BoughtAsset, command.Bought.Value, Now));
        hold.Remaining -= command.Sold;
        Entry(hold.Asset).Held -= command.Sold;
        Entry(command.BoughtAsset).Available += command.Bought;
        if (hold.Remaining.IsZero) _state.Holds.Remove(command.OrderId);
        return Record(key, fingerprint, command.BoughtAsset);
    }

    public OperationResult ReleaseHold(string orderId)
    {
        var key = "release:" + orderId;
        if (TryReplay(key, "", out var replay)) return replay;
        if (!_state.Holds.Remove(orderId, out var hold))
        {
            // Fully filled orders hold nothing: releasing "the rest" of nothing is a no-op, recorded
            // like any other so the answer stays the same on replay.
            return Record(key, "", null);
        }
        var entry = Entry(hold.Asset);
        entry.Held -= hold.Remaining;
        entry.Available += hold.Remaining;
        // A hold is removed when a fill takes its last unit, so what remains here is never zero.
        Journal(LedgerMovements.OrderRelease(OperationId(key), UserId, hold.Asset, hold.Remaining.Value, Now));
        return Record(key, "", hold.Asset);
    }

    /// <summary>
    /// The wallet's invariant: per asset, held equals the sum of pending withdrawals and open
    /// holds. (Non-negativity is guaranteed by <see cref="Amount"/> itself.) Returns the first
    /// violation, or null.
    /// </summary>
    public string? FindInvariantViolation()
    {
        var expectedHeld = new Dictionary<string, Amount>(StringComparer.Ordinal);
        void Add(string asset, Amount amount) =>
            expectedHeld[asset] = (expectedHeld.TryGetValue(asset, out var a) ? a : Amount.Zero) + amount;
        foreach (var w in _state.Withdrawals.Values.Where(w => w.Status == WithdrawalStatus.Pending)) Add(w.Asset, w.Amount);
        foreach (var h in _state.Holds.Values) Add(h.Asset, h.Remaining);
        foreach (var (asset, entry) in _state.Balances)
        {
            var expected = expectedHeld.TryGetValue(asset, out var e) ? e : Amount.Zero;
            if (entry.Held != expected) return $"{asset}: held {entry.Held} but pending withdrawals and holds sum to {expected}";
        }
        return expectedHeld.Keys.FirstOrDefault(a => !_state.Balances.ContainsKey(a)) is { } missing
            ? $"{missing}: held funds without a balance entry"
            : null;
    }

    /// <summary>Journal entries not yet in Postgres, oldest first.</summary>
    public IReadOnlyList<LedgerOutboxEntry> LedgerOutbox => _state.LedgerOutbox;

    public IReadOnlyList<WithdrawalStatusUpdate> WithdrawalStatusOutbox => _state.WithdrawalStatusOutbox;

    /// <summary>Drops the entries Postgres now holds (by id: the outbox may have grown meanwhile).</summary>
    public void RemoveJournaled(IReadOnlyCollection<string> entryIds)
    {
        var written = entryIds as IReadOnlySet<string> ?? entryIds.ToHashSet(StringComparer.Ordinal);
        _state.LedgerOutbox.RemoveAll(e => written.Contains(e.EntryId));
    }

    public void RemoveWithdrawalStatusUpdate(WithdrawalStatusUpdate update) => _state.WithdrawalStatusOutbox.Remove(update);

    private DateTimeOffset Now => _time.GetUtcNow();

    private string OperationId(string key) => LedgerOperationIds.For(UserId, key);

    private void Journal(IReadOnlyList<LedgerEntry> entries) =>
        _state.LedgerOutbox.AddRange(entries.Select(LedgerOutboxEntry.From));

    private void RequireOutboxRoom()
    {
        if (_state.LedgerOutbox.Count + EntriesPerMovementMax > LedgerOutboxEntriesMax)
            throw new WalletException(ErrorCodes.LedgerOutboxFull,
                $"{_state.LedgerOutbox.Count} ledger entries of this wallet are waiting for the ledger database " +
                $"(at most {LedgerOutboxEntriesMax}); nothing was changed, retry with the same key later");
    }

    private BalanceEntry Entry(string asset)
    {
        if (!_state.Balances.TryGetValue(asset, out var entry))
        {
            entry = new BalanceEntry();
            _state.Balances[asset] = entry;
        }
        return entry;
    }

    private bool TryReplay(string key, string fingerprint, out OperationResult result)
    {
        if (_state.Operations.TryGetValue(key, out var record))
        {
            RequireSameFingerprint(key, record.Fingerprint, fingerprint);
            result = record.Result.AsReplay();
            return true;
        }
        result = null!;
        return false;
    }

    private static void RequireSameFingerprint(string key, string recorded, string requested)
    {
        if (recorded != requested)
            throw new WalletException(ErrorCodes.IdempotencyConflict,
                $"key '{key[(key.IndexOf(':') + 1)..]}' was already used for a different request");
    }

    private OperationResult Record(string key, string fingerprint, string? asset)
    {
        var balance = asset is null ? new AssetBalance("", Amount.Zero, Amount.Zero) : BalanceOf(asset);
        var result = new OperationResult(key, balance, Replayed: false);
        _state.Operations[key] = new OperationRecord(fingerprint, result);
        return result;
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
/// The outcome of <see cref="WalletAccount.BeginTransfer"/>: either the transfer had completed
/// (<see cref="Completed"/>) or there is an intent to deliver (<see cref="Pending"/>).
/// </summary>
/// <summary>
/// The outcome of <see cref="WalletAccount.PrepareWithdrawal"/>: a replay's answer, or the request
/// the withdrawal policy must allow first.
/// </summary>
public sealed record WithdrawalPreparation(OperationResult? Replay, LedgerWithdrawalRequest? PolicyRequest);

public sealed record TransferStart(OperationResult? Completed, PendingTransfer? Pending)
{
    /// <summary>True when this call made the debit (so it must be persisted).</summary>
    public bool IsNew { get; init; }
}
