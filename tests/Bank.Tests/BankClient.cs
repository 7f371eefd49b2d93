using System.Numerics;
using Grpc.Core;
using OrleansWallet.Client;

namespace OrleansWallet.Bank.Tests;

/// <summary>
/// One "real client": a sequence of operations, each retried with the same request (so the same
/// idempotency key) on every transient failure until it gets a definite answer: success, or a
/// refusal that by the API's contract changed nothing. Its channel follows the endpoint list like
/// a client behind a load balancer: on a transient failure it moves to the next endpoint.
/// What it learns goes into its facts; what contradicts the contract goes into the run's violations.
/// </summary>
public sealed class BankClient : IDisposable
{
    public static readonly string[] Assets = ["ETH", "USDC", "BTC"];
    public const string EthereumAddress = "0x52908400098527886E0F7030069857D2E4169EE7";
    public const string BitcoinAddress = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

    /// <summary>Above any balance the run can reach: an order or transfer of it must be refused (or rejected).</summary>
    private static readonly BigInteger Unaffordable = BigInteger.Pow(10, 18);

    /// <summary>A gap between two answers longer than this puts the operation's calls in the timeline.</summary>
    private static readonly TimeSpan SlowGap = TimeSpan.FromSeconds(4);

    private readonly Random _random;
    private readonly RunLog _log;
    private readonly Endpoints _endpoints;
    private readonly BankSettings _settings;
    private readonly IReadOnlyList<string> _users;
    private readonly CancellationToken _abandon;
    private readonly Dictionary<string, WalletChannel> _channels = new(StringComparer.Ordinal);
    private readonly List<Replayable> _replayable = [];
    private int _cursor;
    private int _sequence;

    public BankClient(int index, int seed, RunLog log, Endpoints endpoints, BankSettings settings, IReadOnlyList<string> users,
        CancellationToken abandon)
    {
        Index = index;
        _random = new Random(seed);
        _log = log;
        _endpoints = endpoints;
        _settings = settings;
        _users = users;
        _abandon = abandon;
        _cursor = index;
    }

    public int Index { get; }

    public List<DepositFact> Deposits { get; } = [];
    public List<TransferFact> Transfers { get; } = [];
    public List<WithdrawalFact> Withdrawals { get; } = [];
    public List<OrderFact> Orders { get; } = [];

    /// <summary>When each of this client's operations got a definite answer (success or refusal), on the run's clock, in order.</summary>
    public List<Ack> Acks { get; } = [];

    /// <summary>Operations that never got a definite answer: their effect is unknown, so the model cannot be exact.</summary>
    public List<string> Unknown { get; } = [];

    /// <summary>Time of the last acknowledgement (ticks on the run's clock), read by the nemesis to see recovery.</summary>
    public long LastAckTicks => Interlocked.Read(ref _lastAckTicks);

    private long _lastAckTicks;

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            // Callers in one process starve each other without a yield (shared FACTS).
            await Task.Yield();
            await StepAsync();
            if (_settings.ThinkTimeMax > TimeSpan.Zero)
            {
                try { await Task.Delay(_random.Next((int)_settings.ThinkTimeMax.TotalMilliseconds + 1), stop); }
                catch (OperationCanceledException) { }
            }
        }
    }

    /// <summary>Credits a user's starting balance (before the faults start).</summary>
    public async Task FundAsync(string user, string asset, BigInteger amount)
    {
        var txId = $"fund-{user}-{asset}";
        var outcome = await SettleAsync("fund", (c, ct) => c.Wallets.CreditDepositAsync(user, asset, amount, txId, ct));
        if (outcome.Value is null) throw new InvalidOperationException($"funding {user} {asset} failed: {outcome.Refusal?.Reason ?? "no answer"}");
        Deposits.Add(new DepositFact(user, asset, amount, txId));
    }

    private Task StepAsync()
    {
        var roll = _random.NextDouble();
        return roll switch
        {
            < 0.30 => TransferAsync(),
            < 0.35 => DepositAsync(),
            < 0.52 => OrderLifecycleAsync(),
            < 0.58 => LaterOrderStepAsync(),
            < 0.66 => WithdrawalAsync(),
            < 0.78 => ReplayAsync(),
            < 0.86 => ConflictAsync(),
            _ => BadInputAsync(),
        };
    }

    // ---- operations ----

    private async Task TransferAsync()
    {
        var from = AnyUser();
        var to = OtherUser(from);
        var asset = AnyAsset();
        var overdraft = _random.NextDouble() < 0.05;
        var amount = overdraft ? Unaffordable : _random.Next(1, 10_001);
        var key = NextKey("t");
        var kind = overdraft ? "transfer-overdraft" : "transfer";
        var outcome = await SettleAsync(kind, (c, ct) => c.Wallets.TransferAsync(from, to, asset, amount, key, ct));
        if (outcome.IsUnknown) { Unknown.Add($"{kind} {from}->{to} {amount} {asset} key {key}"); return; }
        if (outcome.Refusal is { } refusal)
        {
            // Refused for lack of funds is a definite, legitimate answer; anything else is not for a valid transfer.
            ExpectRefusal(kind, refusal, StatusCode.FailedPrecondition, "insufficient_funds");
            return;
        }
        var result = outcome.Value!;
        Acknowledge(kind, result.Replayed);
        if (overdraft) _log.Violation("overdraft-accepted", $"transfer of {amount} {asset} from {from} (key {key}) succeeded");
        if (result.OperationId != "transfer/" + key) _log.Violation("wrong-answer", $"transfer {key} answered operation {result.OperationId}");
        Transfers.Add(new TransferFact(from, to, asset, amount, key));
        _replayable.Add(new Replayable("transfer",
            Replay: () => ReplayWalletAsync("replay-transfer", "transfer/" + key,
                (c, ct) => c.Wallets.TransferAsync(from, to, asset, amount, key, ct)),
            Conflict: () => ConflictAsync("conflict-transfer",
                (c, ct) => c.Wallets.TransferAsync(from, to, asset, amount + 1, key, ct))));
    }

    private async Task DepositAsync()
    {
        var user = AnyUser();
        var asset = AnyAsset();
        BigInteger amount = _random.Next(1, 1_000_001);
        var txId = NextKey("d");
        var outcome = await SettleAsync("deposit", (c, ct) => c.Wallets.CreditDepositAsync(user, asset, amount, txId, ct));
        if (outcome.IsUnknown) { Unknown.Add($"deposit {user} {amount} {asset} tx {txId}"); return; }
        if (outcome.Refusal is { } refusal) { ExpectRefusal("deposit", refusal, null, null); return; }
        Acknowledge("deposit", outcome.Value!.Replayed);
        Deposits.Add(new DepositFact(user, asset, amount, txId));
        _replayable.Add(new Replayable("deposit",
            Replay: () => ReplayWalletAsync("replay-deposit", "deposit/" + txId,
                (c, ct) => c.Wallets.CreditDepositAsync(user, asset, amount, txId, ct)),
            Conflict: () => ConflictAsync("conflict-deposit",
                (c, ct) => c.Wallets.CreditDepositAsync(user, asset, amount + 1, txId, ct))));
    }

    /// <summary>Place, then up to three fills (now and then a bad one), then maybe a cancel.</summary>
    private async Task OrderLifecycleAsync()
    {
        var user = AnyUser();
        var sell = AnyAsset();
        var buy = Assets.Where(a => a != sell).ElementAt(_random.Next(2));
        var unaffordable = _random.NextDouble() < 0.05;
        var sellAmount = unaffordable ? Unaffordable : _random.Next(1_000, 50_001);
        // A limit price between 0.5 and 3 units bought per unit sold.
        var minBuy = BigInteger.Max(1, sellAmount * _random.Next(50, 301) / 100);
        var orderId = NextKey("o");
        var placed = await SettleAsync("order-place",
            (c, ct) => c.Orders.PlaceAsync(orderId, user, sell, sellAmount, buy, minBuy, ct));
        if (placed.IsUnknown) { Unknown.Add($"order-place {orderId}"); return; }
        if (placed.Refusal is { } refused) { ExpectRefusal("order-place", refused, null, null); return; }
        var order = placed.Value!;
        var fact = new OrderFact(orderId, user, sell, sellAmount, buy, minBuy);
        if (order.State == OrderState.Rejected)
        {
            fact.RejectReason = order.RejectReason ?? "";
            if (order.RejectReason != "insufficient_funds")
                _log.Violation("wrong-answer", $"order {orderId} rejected for '{order.RejectReason}', not insufficient_funds");
            Acknowledge("order-place", replayed: false, outcome: "rejected:" + order.RejectReason);
        }
        else
        {
            if (order.State != OrderState.Placed)
                _log.Violation("wrong-answer", $"order {orderId} placement answered state {order.State}");
            if (unaffordable) _log.Violation("overdraft-accepted", $"order {orderId} selling {sellAmount} {sell} was placed");
            Acknowledge("order-place", replayed: false);
        }
        Orders.Add(fact);
        _replayable.Add(new Replayable("order-place",
            Replay: () => ReplayOrderAsync("replay-order-place", fact,
                (c, ct) => c.Orders.PlaceAsync(orderId, user, sell, sellAmount, buy, minBuy, ct)),
            Conflict: () => ConflictAsync("conflict-order-place",
                (c, ct) => c.Orders.PlaceAsync(orderId, user, sell, sellAmount + 1, buy, minBuy, ct))));
        if (fact.Rejected) return;

        var fills = _random.Next(0, 4);
        for (var i = 0; i < fills && fact.Remaining > 0; i++)
        {
            var roll = _random.NextDouble();
            if (roll < 0.07) await BadFillAsync(fact, belowLimit: true);
            else if (roll < 0.12) await BadFillAsync(fact, belowLimit: false);
            else if (!await FillAsync(fact)) return;
        }

        // Half of the open orders are cancelled now; the others stay open for a later step or to the end.
        if (fact.Remaining > 0 && _random.NextDouble() < 0.5)
        {
            await CancelAsync(fact, "order-cancel");
        }
        else if (fact.Remaining == 0 && _random.NextDouble() < 0.3)
        {
            // A filled order cannot be cancelled: a definite refusal that changes nothing.
            var late = await SettleAsync("order-cancel-filled", (c, ct) => c.Orders.CancelAsync(orderId, ct));
            if (late.IsUnknown) { Unknown.Add($"order-cancel-filled {orderId}"); return; }
            if (late.Refusal is { } r) ExpectRefusal("order-cancel-filled", r, StatusCode.FailedPrecondition, "order_illegal_transition");
            else _log.Violation("wrong-answer", $"cancel of filled order {orderId} succeeded: {late.Value}");
        }
    }

    /// <summary>
    /// A fill or a cancel of one of this client's orders placed earlier: by now its grain may have
    /// been re-activated elsewhere (silo kill) or have dropped its reminder, so this step is the
    /// first of a new activation more often than a step right after placement is.
    /// </summary>
    private async Task LaterOrderStepAsync()
    {
        var open = Orders.Where(o => o.IsOpen).ToList();
        if (open.Count == 0)
        {
            await OrderLifecycleAsync();
            return;
        }
        var fact = open[_random.Next(open.Count)];
        if (_random.NextDouble() < 0.5) await FillAsync(fact, "order-later-fill");
        else await CancelAsync(fact, "order-later-cancel");
    }

    private async Task CancelAsync(OrderFact fact, string kind)
    {
        var cancelled = await SettleAsync(kind, (c, ct) => c.Orders.CancelAsync(fact.OrderId, ct));
        if (cancelled.IsUnknown) { Unknown.Add($"{kind} {fact.OrderId}"); return; }
        if (cancelled.Refusal is { } r) { ExpectRefusal(kind, r, null, null); return; }
        fact.Cancelled = true;
        Acknowledge(kind, replayed: false);
        CheckOrderAnswer(fact, cancelled.Value!);
    }

    private async Task<bool> FillAsync(OrderFact fact, string kind = "order-fill")
    {
        // Sometimes the rest of the order, otherwise a part of it; bought at the limit or a little better.
        var sold = _random.NextDouble() < 0.3 ? fact.Remaining : 1 + RandomBelow(fact.Remaining);
        var bought = CeilDiv(fact.MinBuy * sold, fact.SellAmount) + _random.Next(0, 101);
        var fillId = NextKey("f");
        var filled = await SettleAsync(kind, (c, ct) => c.Orders.FillAsync(fact.OrderId, fillId, sold, bought, ct));
        if (filled.IsUnknown) { Unknown.Add($"{kind} {fact.OrderId} {fillId}"); return false; }
        if (filled.Refusal is { } refusal) { ExpectRefusal(kind, refusal, null, null); return false; }
        fact.Fills.Add(new FillFact(fillId, sold, bought));
        Acknowledge(kind, replayed: false);
        CheckOrderAnswer(fact, filled.Value!);
        _replayable.Add(new Replayable("order-fill",
            Replay: () => ReplayOrderAsync("replay-order-fill", fact,
                (c, ct) => c.Orders.FillAsync(fact.OrderId, fillId, sold, bought, ct)),
            Conflict: () => ConflictAsync("conflict-order-fill",
                (c, ct) => c.Orders.FillAsync(fact.OrderId, fillId, sold, bought + 1, ct))));
        return true;
    }

    /// <summary>A fill below the order's limit price, or selling more than remains: refused, nothing changes.</summary>
    private async Task BadFillAsync(OrderFact fact, bool belowLimit)
    {
        BigInteger sold, bought;
        string reason;
        if (belowLimit)
        {
            sold = fact.Remaining;
            var atLimit = CeilDiv(fact.MinBuy * sold, fact.SellAmount);
            if (atLimit < 2) return; // one unit below the limit would be zero: not this case
            bought = atLimit - 1;
            reason = "order_fill_below_limit";
        }
        else
        {
            sold = fact.Remaining + 1;
            bought = fact.MinBuy * 10;
            reason = "order_overfill";
        }
        var kind = belowLimit ? "order-fill-below-limit" : "order-overfill";
        var fillId = NextKey("f");
        var outcome = await SettleAsync(kind, (c, ct) => c.Orders.FillAsync(fact.OrderId, fillId, sold, bought, ct));
        if (outcome.IsUnknown) { Unknown.Add($"{kind} {fact.OrderId} {fillId}"); return; }
        if (outcome.Refusal is { } refusal) { ExpectRefusal(kind, refusal, StatusCode.FailedPrecondition, reason); return; }
        _log.Violation("bad-input-accepted", $"{kind} on {fact.OrderId} (sold {sold}, bought {bought}) succeeded: {outcome.Value}");
        // It happened: keep the model true to the service so later checks stay meaningful.
        fact.Fills.Add(new FillFact(fillId, sold, bought));
    }

    private async Task WithdrawalAsync()
    {
        var user = AnyUser();
        var asset = AnyAsset();
        BigInteger amount = _random.Next(1, 5_001);
        var id = NextKey("w");
        var address = asset == "BTC" ? BitcoinAddress : EthereumAddress;
        var requested = await SettleAsync("withdraw-request",
            (c, ct) => c.Wallets.RequestWithdrawalAsync(user, id, asset, amount, address, ct));
        if (requested.IsUnknown) { Unknown.Add($"withdraw-request {user} {id}"); return; }
        if (requested.Refusal is { } refusal)
        {
            ExpectRefusal("withdraw-request", refusal, StatusCode.FailedPrecondition, "insufficient_funds");
            return;
        }
        Acknowledge("withdraw-request", requested.Value!.Replayed);
        var fact = new WithdrawalFact(user, id, asset, amount, address);
        Withdrawals.Add(fact);
        _replayable.Add(new Replayable("withdraw-request",
            Replay: () => ReplayWalletAsync("replay-withdraw-request", "withdraw/" + id,
                (c, ct) => c.Wallets.RequestWithdrawalAsync(user, id, asset, amount, address, ct)),
            Conflict: () => ConflictAsync("conflict-withdraw-request",
                (c, ct) => c.Wallets.RequestWithdrawalAsync(user, id, asset, amount + 1, address, ct))));

        // The chain side reports: sent (complete), failed, or not yet (left pending: held stays).
        var roll = _random.NextDouble();
        if (roll >= 0.7) return;
        var complete = roll < 0.4;
        var kind = complete ? "withdraw-complete" : "withdraw-fail";
        var settled = await SettleAsync(kind, (c, ct) => complete
            ? c.Wallets.CompleteWithdrawalAsync(user, id, ct)
            : c.Wallets.FailWithdrawalAsync(user, id, ct));
        if (settled.IsUnknown) { Unknown.Add($"{kind} {user} {id}"); return; }
        if (settled.Refusal is { } r) { ExpectRefusal(kind, r, null, null); return; }
        fact.Outcome = complete ? WithdrawalOutcome.Completed : WithdrawalOutcome.Failed;
        Acknowledge(kind, settled.Value!.Replayed);
        var operation = (complete ? "withdraw-complete/" : "withdraw-fail/") + id;
        _replayable.Add(new Replayable(kind,
            Replay: () => ReplayWalletAsync("replay-" + kind, operation, (c, ct) => complete
                ? c.Wallets.CompleteWithdrawalAsync(user, id, ct)
                : c.Wallets.FailWithdrawalAsync(user, id, ct)),
            Conflict: null));
    }

    private Task ReplayAsync() =>
        _replayable.Count == 0 ? TransferAsync() : _replayable[_random.Next(_replayable.Count)].Replay();

    private Task ConflictAsync()
    {
        var candidates = _replayable.Where(r => r.Conflict is not null).ToList();
        return candidates.Count == 0 ? TransferAsync() : candidates[_random.Next(candidates.Count)].Conflict!();
    }

    /// <summary>Malformed requests: each must be refused with InvalidArgument and the reason named, changing nothing.</summary>
    private async Task BadInputAsync()
    {
        var user = AnyUser();
        var other = OtherUser(user);
        var key = NextKey("bad");
        (string Kind, string Reason, Func<WalletChannel, CancellationToken, Task<object>> Call)[] cases =
        [
            ("bad-amount-zero", "amount_zero", async (c, ct) => await c.Wallets.TransferAsync(user, other, "ETH", 0, key, ct)),
            ("bad-amount-negative", "amount_malformed", async (c, ct) => await c.Wallets.TransferAsync(user, other, "ETH", -5, key, ct)),
            ("bad-amount-too-large", "amount_too_large",
                async (c, ct) => await c.Wallets.TransferAsync(user, other, "ETH", BigInteger.Pow(2, 256), key, ct)),
            ("bad-asset", "asset_unknown", async (c, ct) => await c.Wallets.CreditDepositAsync(user, "DOGE", 10, key, ct)),
            ("bad-transfer-to-self", "transfer_to_self", async (c, ct) => await c.Wallets.TransferAsync(user, user, "ETH", 1, key, ct)),
            ("bad-user-id", "user_id_malformed", async (c, ct) => await c.Wallets.CreditDepositAsync("no spaces allowed", "ETH", 1, key, ct)),
            ("bad-key", "idempotency_key_malformed", async (c, ct) => await c.Wallets.TransferAsync(user, other, "ETH", 1, key + " x", ct)),
            ("bad-tx-missing", "idempotency_key_missing", async (c, ct) => await c.Wallets.CreditDepositAsync(user, "ETH", 1, "", ct)),
            ("bad-order-same-asset", "order_same_asset",
                async (c, ct) => await c.Orders.PlaceAsync(key, user, "ETH", 10, "ETH", 10, ct)),
            ("bad-order-zero", "amount_zero", async (c, ct) => await c.Orders.PlaceAsync(key, user, "ETH", 0, "USDC", 10, ct)),
            ("bad-order-id", "order_id_malformed", async (c, ct) => await c.Orders.PlaceAsync("bad/id", user, "ETH", 10, "USDC", 10, ct)),
            ("bad-withdrawal-address", "field_malformed",
                async (c, ct) => await c.Wallets.RequestWithdrawalAsync(user, key, "ETH", 1, "has spaces", ct)),
        ];
        var (kind, reason, call) = cases[_random.Next(cases.Length)];
        var outcome = await SettleAsync(kind, call);
        if (outcome.IsUnknown) { Unknown.Add($"{kind} key {key}"); return; }
        if (outcome.Refusal is { } refusal) { ExpectRefusal(kind, refusal, StatusCode.InvalidArgument, reason); return; }
        _log.Violation("bad-input-accepted", $"{kind} (key {key}) succeeded: {outcome.Value}");
    }

    // ---- replays and conflicts ----

    private async Task ReplayWalletAsync(string kind, string operationId, Func<WalletChannel, CancellationToken, Task<OperationOutcome>> call)
    {
        var outcome = await SettleAsync(kind, call);
        if (outcome.IsUnknown) { Unknown.Add($"{kind} {operationId} (a replay: moves nothing if the service is right)"); return; }
        if (outcome.Refusal is { } refusal)
        {
            _log.Violation("replay-refused", $"{kind} of {operationId}: {refusal.Status}/{refusal.Reason}: {refusal.Message}");
            _log.Count(kind, "refused:" + refusal.Reason);
            return;
        }
        var result = outcome.Value!;
        Acknowledge(kind, result.Replayed);
        if (!result.Replayed) _log.Violation("replay-not-replayed", $"{kind} of {operationId} answered as a new operation: {result}");
        if (result.OperationId != operationId) _log.Violation("wrong-answer", $"{kind} of {operationId} answered operation {result.OperationId}");
    }

    private async Task ReplayOrderAsync(string kind, OrderFact fact, Func<WalletChannel, CancellationToken, Task<OrderInfo>> call)
    {
        var outcome = await SettleAsync(kind, call);
        if (outcome.IsUnknown) { Unknown.Add($"{kind} {fact.OrderId} (a replay)"); return; }
        if (outcome.Refusal is { } refusal)
        {
            _log.Violation("replay-refused", $"{kind} of {fact.OrderId}: {refusal.Status}/{refusal.Reason}: {refusal.Message}");
            _log.Count(kind, "refused:" + refusal.Reason);
            return;
        }
        Acknowledge(kind, replayed: true);
        CheckOrderAnswer(fact, outcome.Value!);
    }

    private async Task ConflictAsync<T>(string kind, Func<WalletChannel, CancellationToken, Task<T>> call) where T : class
    {
        var outcome = await SettleAsync(kind, call);
        if (outcome.IsUnknown) { Unknown.Add($"{kind} (a conflicting reuse of a key)"); return; }
        if (outcome.Refusal is { } refusal) { ExpectRefusal(kind, refusal, StatusCode.AlreadyExists, "idempotency_key_conflict"); return; }
        _log.Violation("conflict-accepted", $"{kind}: a key reused with another payload succeeded: {outcome.Value}");
    }

    /// <summary>An order's answer must agree with what this client knows was acknowledged on it.</summary>
    private void CheckOrderAnswer(OrderFact fact, OrderInfo answer)
    {
        if (answer.SoldAmount != fact.Sold || answer.BoughtAmount != fact.Bought || answer.State.ToString() != fact.ExpectedStatus)
            _log.Violation("wrong-answer",
                $"order {fact.OrderId} answered {answer.State} sold {answer.SoldAmount} bought {answer.BoughtAmount}; " +
                $"acknowledged steps say {fact.ExpectedStatus} sold {fact.Sold} bought {fact.Bought}");
    }

    private void ExpectRefusal(string kind, WalletApiException refusal, StatusCode? status, string? reason)
    {
        _log.Count(kind, "refused:" + refusal.Reason);
        if (status is null || refusal.Status != status || (reason is not null && refusal.Reason != reason))
            _log.Violation("wrong-refusal",
                $"{kind}: expected {(status is null ? "success" : $"{status}/{reason}")}, got {refusal.Status}/{refusal.Reason}: {refusal.Message}");
    }

    private void Acknowledge(string kind, bool replayed, string outcome = "ok")
    {
        Answered(kind);
        _log.Count(kind, replayed && outcome == "ok" ? "ok(replayed)" : outcome);
    }

    /// <summary>Records a definite answer (success or refusal) for the stall measure.</summary>
    private void Answered(string kind)
    {
        var now = _log.Now;
        // Withdrawals waiting out a Postgres outage are slow by design; the rest are the stalls' evidence.
        if (Acks.Count > 0 && now - Acks[^1].At > SlowGap && !_trace.Any(t => t.Contains("ledger_unavailable", StringComparison.Ordinal)))
            _log.Slow($"client {Index} {kind}: {(now - Acks[^1].At).TotalSeconds:F1} s since its previous answer at " +
                      $"{RunLog.Stamp(Acks[^1].At)}; calls (port, time, answer): {string.Join(" | ", _trace)}");
        Acks.Add(new Ack(now, kind));
        Interlocked.Exchange(ref _lastAckTicks, now.Ticks);
    }

    // ---- retrying until definite ----

    private readonly record struct Outcome<T>(T? Value, WalletApiException? Refusal) where T : class
    {
        public bool IsUnknown => Value is null && Refusal is null;
    }

    private static bool IsDefinite(StatusCode status) =>
        status is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.NotFound or StatusCode.AlreadyExists;

    /// <summary>
    /// Sends the same request until a definite answer. Past the operation bound it records a
    /// violation once and keeps trying (the model needs the outcome), until the run abandons it.
    /// </summary>
    private async Task<Outcome<T>> SettleAsync<T>(string kind, Func<WalletChannel, CancellationToken, Task<T>> call) where T : class
    {
        var started = _log.Now;
        var overBound = false;
        _trace.Clear();
        for (var attempt = 0; ; attempt++)
        {
            var address = CurrentAddress();
            var callStarted = _log.Now;
            try
            {
                var value = await call(Channel(address), _abandon);
                Trace(address, callStarted, "ok");
                return new Outcome<T>(value, null);
            }
            catch (WalletApiException ex) when (IsDefinite(ex.Status))
            {
                Trace(address, callStarted, $"{ex.Status}/{ex.Reason}");
                // A definite refusal is an answer too: the client was not left waiting.
                Answered(kind + " refused");
                return new Outcome<T>(default, ex);
            }
            catch (WalletApiException ex) when (!_abandon.IsCancellationRequested)
            {
                Trace(address, callStarted, ServerChose(ex) ? $"{ex.Status}/{ex.Reason}" : $"{ex.Status} from the transport ({Truncate(ex.Message, 90)})");
                // Unavailable / DeadlineExceeded are the API's "retry with the same key". Any other
                // status the server itself chose (it names a reason in the trailer) is a bug; the
                // transport's own failures (connection reset by a killed silo) are retried as transient.
                if (ex is not ServiceUnavailableException && ServerChose(ex))
                    _log.Violation("server-error", $"{kind} via {address}: {ex.Status}/{ex.Reason}: {ex.Message}");
                _log.Count(kind, $"retry:{ex.Status}/{ex.Reason}");
            }
            catch (Exception ex) when (!_abandon.IsCancellationRequested)
            {
                Trace(address, callStarted, ex.GetType().Name);
                _log.Violation("client-exception", $"{kind} via {address}: {ex.GetType().Name}: {ex.Message}");
            }
            catch (Exception) when (_abandon.IsCancellationRequested)
            {
                // Falls through to the abandon check.
            }
            if (_abandon.IsCancellationRequested)
            {
                _log.Violation("unsettled", $"{kind}: no definite answer in {(_log.Now - started).TotalSeconds:F0} s; the run ended");
                return default;
            }
            if (!overBound && _log.Now - started > _settings.OperationBound)
            {
                overBound = true;
                _log.Violation("operation-bound", $"{kind} (client {Index}): no definite answer within {_settings.OperationBound.TotalSeconds:F0} s");
            }
            // A load balancer would send the next attempt elsewhere; backoff 50 ms doubling to 800 ms, jittered.
            _cursor++;
            var backoffMs = Math.Min(800, 50 << Math.Min(attempt, 4));
            await Task.Delay(backoffMs / 2 + _random.Next(backoffMs / 2 + 1), CancellationToken.None);
        }
    }

    /// <summary>The calls of the operation in progress: where, how long, what came back (for slow operations in the timeline).</summary>
    private readonly List<string> _trace = [];

    private void Trace(string address, TimeSpan callStarted, string answer)
    {
        if (_trace.Count < 20) _trace.Add($"{address[(address.LastIndexOf(':') + 1)..]} {(_log.Now - callStarted).TotalSeconds:F1}s {answer}");
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";

    private static bool ServerChose(WalletApiException ex) =>
        ex.InnerException is RpcException rpc && rpc.Trailers.GetValue("error-reason") is not null;

    private string CurrentAddress()
    {
        var addresses = _endpoints.Addresses;
        return addresses[(int)((uint)_cursor % (uint)addresses.Count)];
    }

    private WalletChannel Channel(string address)
    {
        if (!_channels.TryGetValue(address, out var channel))
        {
            channel = new WalletChannel(new WalletClientOptions
            {
                Address = new Uri(address),
                BearerToken = _endpoints.BearerToken,
                // The SDK's own retry tries once more on the same endpoint; then this client moves on.
                MaxAttempts = 2,
                InitialBackoff = TimeSpan.FromMilliseconds(100),
            });
            _channels[address] = channel;
        }
        return channel;
    }

    // ---- choices ----

    private string AnyUser() => _users[_random.Next(_users.Count)];

    private string OtherUser(string user)
    {
        var other = _users[_random.Next(_users.Count - 1)];
        return other == user ? _users[^1] : other;
    }

    private string AnyAsset() => Assets[_random.Next(Assets.Length)];

    private string NextKey(string kind) => $"c{Index}-{kind}{++_sequence}";

    private BigInteger RandomBelow(BigInteger bound) => bound <= 1 ? 0 : new BigInteger(_random.NextInt64((long)bound));

    private static BigInteger CeilDiv(BigInteger a, BigInteger b) => (a + b - 1) / b;

    public void Dispose()
    {
        foreach (var channel in _channels.Values) channel.Dispose();
    }

    private sealed record Replayable(string Kind, Func<Task> Replay, Func<Task>? Conflict);
}
