using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using OrleansWallet.Client;

namespace OrleansWallet.Cli.Load;

/// <summary>One caller's own state: its random source, its key counter, what it may replay.</summary>
public sealed class WorkerState(int id, int seed)
{
    public int Id { get; } = id;
    public Random Random { get; } = new(seed);
    public long Sequence;

    /// <summary>"{runId}:{id}:" — every key of this worker starts with it, so keys never collide across workers or runs.</summary>
    public string KeyPrefix = "";

    public (string User, BigInteger Amount, string TxId)? LastDeposit;
    public (string From, string To, BigInteger Amount, string Key)? LastTransfer;
}

/// <summary>
/// The operations of the mix, sent through the SDK exactly as a client application would, and
/// recorded into the current phase. Users, assets and amounts are prepared once; per call only
/// the idempotency key is formatted (a prefix and a counter).
/// </summary>
public sealed class Workload
{
    public const string FundedAsset = "ETH";
    public const string OrderBuyAsset = "USDC";

    /// <summary>An order sells 10^6 wei for at least 1,000 USDC base units; fills keep exactly to the limit.</summary>
    public static readonly BigInteger OrderSellAmount = 1_000_000;
    public static readonly BigInteger OrderMinBuyAmount = 1_000;

    /// <summary>Transfers and deposits move 1..1000 wei: a funded wallet (10^24 wei) never runs short in any run.</summary>
    private const int AmountMax = 1_000;

    private readonly LoadOptions _options;
    private readonly IReadOnlyList<WalletChannel> _channels;
    private readonly RecorderSwitch _recorders;
    private readonly string[] _users;
    private readonly BigInteger[] _amounts;
    private readonly bool _replay;

    public Workload(LoadOptions options, IReadOnlyList<WalletChannel> channels, RecorderSwitch recorders)
    {
        _options = options;
        _channels = channels;
        _recorders = recorders;
        _users = UserIds(options.EffectiveUserPrefix, options.Users);
        _amounts = new BigInteger[AmountMax + 1];
        for (var i = 0; i <= AmountMax; i++) _amounts[i] = new BigInteger(i);
        _replay = options.ReplayFraction > 0;
    }

    public IReadOnlyList<string> Users => _users;

    public static string[] UserIds(string prefix, int count)
    {
        var users = new string[count];
        for (var i = 0; i < count; i++) users[i] = prefix + "-" + i.ToString(CultureInfo.InvariantCulture);
        return users;
    }

    public WorkerState NewWorker(int id, int seed) =>
        new(id, seed) { KeyPrefix = $"{_options.RunId}:{id.ToString(CultureInfo.InvariantCulture)}:" };

    /// <summary>The number of operations one pick of <paramref name="operation"/> carries (for the --operations budget).</summary>
    public int OperationsPerPick(MixOperation operation) => operation switch
    {
        MixOperation.Deposit or MixOperation.Transfer => _options.Batch,
        MixOperation.Read => _options.ReadBatch,
        _ => _options.OrderFillAllFraction >= 1 ? 2 : 3,
    };

    private WalletChannel Channel(WorkerState worker, long sequence) =>
        _channels[(int)((worker.Id + sequence) % _channels.Count)];

    private string NextKey(WorkerState worker, char kind)
    {
        var sequence = ++worker.Sequence;
        return string.Concat(worker.KeyPrefix, kind.ToString(), sequence.ToString(CultureInfo.InvariantCulture));
    }

    private string RandomUser(WorkerState worker) => _users[worker.Random.Next(_users.Length)];

    private BigInteger RandomAmount(WorkerState worker) => _amounts[worker.Random.Next(1, AmountMax + 1)];

    /// <summary>
    /// Runs one pick of the mix. <paramref name="intendedTicks"/> is when an open-loop schedule meant
    /// it to start (latency counts from there); 0 in a closed loop (latency from the call's start).
    /// </summary>
    public Task RunAsync(WorkerState worker, MixOperation operation, long intendedTicks) => operation switch
    {
        MixOperation.Deposit when _options.Batch > 1 => DepositBatchAsync(worker, intendedTicks),
        MixOperation.Deposit => DepositAsync(worker, intendedTicks),
        MixOperation.Transfer when _options.Batch > 1 => TransferBatchAsync(worker, intendedTicks),
        MixOperation.Transfer => TransferAsync(worker, intendedTicks),
        MixOperation.Read when _options.ReadBatch > 1 => ReadBatchAsync(worker, intendedTicks),
        MixOperation.Read => ReadAsync(worker, intendedTicks),
        _ => OrderLifecycleAsync(worker, intendedTicks),
    };

    /// <summary>The setup: credits the funding deposit of user <paramref name="index"/> (its key is fixed by the run id and index).</summary>
    public async Task FundAsync(WorkerState worker, int index)
    {
        var start = Stopwatch.GetTimestamp();
        var txId = $"{_options.RunId}:fund:{index.ToString(CultureInfo.InvariantCulture)}";
        try
        {
            var outcome = await Channel(worker, index).Wallets.CreditDepositAsync(_users[index], FundedAsset, _options.FundAmount, txId);
            Done(CallKind.Fund, start, OutcomeClass.Ok, null, outcome.Replayed);
        }
        catch (Exception ex)
        {
            Fail(CallKind.Fund, start, ex);
        }
    }

    private async Task DepositAsync(WorkerState worker, long intendedTicks)
    {
        string user, txId;
        BigInteger amount;
        if (_replay && worker.LastDeposit is { } last && worker.Random.NextDouble() < _options.ReplayFraction)
        {
            (user, amount, txId) = last;
        }
        else
        {
            user = RandomUser(worker);
            amount = RandomAmount(worker);
            txId = NextKey(worker, 'd');
            if (_replay) worker.LastDeposit = (user, amount, txId);
        }
        var start = intendedTicks != 0 ? intendedTicks : Stopwatch.GetTimestamp();
        try
        {
            var outcome = await Channel(worker, worker.Sequence).Wallets.CreditDepositAsync(user, FundedAsset, amount, txId);
            Done(CallKind.Deposit, start, OutcomeClass.Ok, null, outcome.Replayed);
        }
        catch (Exception ex)
        {
            Fail(CallKind.Deposit, start, ex);
        }
    }

    private (string From, string To) TwoUsers(WorkerState worker)
    {
        var from = worker.Random.Next(_users.Length);
        var to = worker.Random.Next(_users.Length - 1);
        if (to >= from) to++;
        return (_users[from], _users[to]);
    }

    private async Task TransferAsync(WorkerState worker, long intendedTicks)
    {
        string from, to, key;
        BigInteger amount;
        if (_replay && worker.LastTransfer is { } last && worker.Random.NextDouble() < _options.ReplayFraction)
        {
            (from, to, amount, key) = last;
        }
        else
        {
            (from, to) = TwoUsers(worker);
            amount = RandomAmount(worker);
            key = NextKey(worker, 't');
            if (_replay) worker.LastTransfer = (from, to, amount, key);
        }
        var start = intendedTicks != 0 ? intendedTicks : Stopwatch.GetTimestamp();
        try
        {
            var outcome = await Channel(worker, worker.Sequence).Wallets.TransferAsync(from, to, FundedAsset, amount, key);
            Done(CallKind.Transfer, start, OutcomeClass.Ok, null, outcome.Replayed);
        }
        catch (Exception ex)
        {
            Fail(CallKind.Transfer, start, ex);
        }
    }

    private Task DepositBatchAsync(WorkerState worker, long intendedTicks)
    {
        var operations = new WalletOperation[_options.Batch];
        for (var i = 0; i < operations.Length; i++)
            operations[i] = new DepositOperation(RandomUser(worker), FundedAsset, RandomAmount(worker), NextKey(worker, 'D'));
        return BatchAsync(worker, CallKind.DepositBatch, operations, intendedTicks);
    }

    private Task TransferBatchAsync(WorkerState worker, long intendedTicks)
    {
        var operations = new WalletOperation[_options.Batch];
        for (var i = 0; i < operations.Length; i++)
        {
            var (from, to) = TwoUsers(worker);
            operations[i] = new TransferOperation(from, to, FundedAsset, RandomAmount(worker), NextKey(worker, 'T'));
        }
        return BatchAsync(worker, CallKind.TransferBatch, operations, intendedTicks);
    }

    private async Task BatchAsync(WorkerState worker, CallKind kind, WalletOperation[] operations, long intendedTicks)
    {
        var start = intendedTicks != 0 ? intendedTicks : Stopwatch.GetTimestamp();
        IReadOnlyList<BatchResult> results;
        try
        {
            results = await Channel(worker, worker.Sequence).Wallets.SubmitBatchAsync(operations);
        }
        catch (Exception ex)
        {
            Fail(kind, start, ex, operations.Length);
            return;
        }
        Span<int> byOutcome = stackalloc int[5];
        var recorder = _recorders.Enter();
        var replayed = 0;
        foreach (var result in results)
        {
            if (result.Error is null)
            {
                byOutcome[(int)OutcomeClass.Ok]++;
                if (result.Outcome!.Replayed) replayed++;
                continue;
            }
            var (outcome, label) = Outcomes.Classify(result.Error);
            byOutcome[(int)outcome]++;
            recorder.RecordFailure(kind, label);
        }
        // An answer with fewer results than operations sent would be a service bug: count the missing ones as failed.
        if (results.Count < operations.Length)
        {
            byOutcome[(int)OutcomeClass.Failed] += operations.Length - results.Count;
            recorder.RecordFailure(kind, "Internal/batch_result_missing", operations.Length - results.Count);
        }
        var now = Stopwatch.GetTimestamp();
        recorder.RecordBatch(kind, ElapsedUs(start, now), now, byOutcome);
        for (var i = 0; i < replayed; i++) recorder.RecordReplay();
        RecorderSwitch.Exit(recorder);
    }

    private async Task ReadAsync(WorkerState worker, long intendedTicks)
    {
        var user = RandomUser(worker);
        var start = intendedTicks != 0 ? intendedTicks : Stopwatch.GetTimestamp();
        try
        {
            await Channel(worker, worker.Random.Next()).Wallets.GetBalancesAsync(user);
            Done(CallKind.Read, start, OutcomeClass.Ok, null, replayed: false);
        }
        catch (Exception ex)
        {
            Fail(CallKind.Read, start, ex);
        }
    }

    private async Task ReadBatchAsync(WorkerState worker, long intendedTicks)
    {
        var users = new string[_options.ReadBatch];
        for (var i = 0; i < users.Length; i++) users[i] = RandomUser(worker);
        var start = intendedTicks != 0 ? intendedTicks : Stopwatch.GetTimestamp();
        try
        {
            await Channel(worker, worker.Random.Next()).Wallets.GetBalancesBatchAsync(users);
            Done(CallKind.ReadBatch, start, OutcomeClass.Ok, null, replayed: false, users.Length);
        }
        catch (Exception ex)
        {
            Fail(CallKind.ReadBatch, start, ex, users.Length);
        }
    }

    /// <summary>Place (holds ETH), fill half at the limit then cancel the rest — or fill it all; each call recorded on its own.</summary>
    private async Task OrderLifecycleAsync(WorkerState worker, long intendedTicks)
    {
        var lifecycleStart = intendedTicks != 0 ? intendedTicks : Stopwatch.GetTimestamp();
        var orderId = NextKey(worker, 'o');
        var user = RandomUser(worker);
        var orders = Channel(worker, worker.Sequence).Orders;
        var fillAll = _options.OrderFillAllFraction > 0 && worker.Random.NextDouble() < _options.OrderFillAllFraction;

        var start = lifecycleStart;
        try
        {
            var placed = await orders.PlaceAsync(orderId, user, FundedAsset, OrderSellAmount, OrderBuyAsset, OrderMinBuyAmount);
            if (placed.State == OrderState.Rejected)
            {
                Done(CallKind.OrderPlace, start, OutcomeClass.Refused, $"FailedPrecondition/order_rejected:{placed.RejectReason}", false);
                return;
            }
            Done(CallKind.OrderPlace, start, OutcomeClass.Ok, null, false);
        }
        catch (Exception ex)
        {
            Fail(CallKind.OrderPlace, start, ex);
            return;
        }

        var sold = fillAll ? OrderSellAmount : OrderSellAmount / 2;
        var bought = fillAll ? OrderMinBuyAmount : OrderMinBuyAmount / 2;
        start = Stopwatch.GetTimestamp();
        try
        {
            await orders.FillAsync(orderId, orderId + ":f1", sold, bought);
            Done(CallKind.OrderFill, start, OutcomeClass.Ok, null, false);
        }
        catch (Exception ex)
        {
            Fail(CallKind.OrderFill, start, ex);
            return;
        }

        if (!fillAll)
        {
            start = Stopwatch.GetTimestamp();
            try
            {
                await orders.CancelAsync(orderId);
                Done(CallKind.OrderCancel, start, OutcomeClass.Ok, null, false);
            }
            catch (Exception ex)
            {
                Fail(CallKind.OrderCancel, start, ex);
                return;
            }
        }
        var recorder = _recorders.Enter();
        recorder.RecordLifecycle(ElapsedUs(lifecycleStart, Stopwatch.GetTimestamp()));
        RecorderSwitch.Exit(recorder);
    }

    private void Done(CallKind kind, long startTicks, OutcomeClass outcome, string? label, bool replayed, int items = 1)
    {
        var now = Stopwatch.GetTimestamp();
        var recorder = _recorders.Enter();
        recorder.Record(kind, ElapsedUs(startTicks, now), now, outcome, items);
        if (label is not null) recorder.RecordFailure(kind, label, items);
        if (replayed) recorder.RecordReplay();
        RecorderSwitch.Exit(recorder);
    }

    private void Fail(CallKind kind, long startTicks, Exception exception, int items = 1)
    {
        var (outcome, label) = Outcomes.Classify(exception);
        Done(kind, startTicks, outcome, label, replayed: false, items);
    }

    public static long ElapsedUs(long startTicks, long endTicks) => (endTicks - startTicks) * 1_000_000 / Stopwatch.Frequency;
}
