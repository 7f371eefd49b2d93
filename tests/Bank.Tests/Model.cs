using System.Numerics;

namespace OrleansWallet.Bank.Tests;

/// <summary>
/// The acknowledged operations, as facts: only what the service answered with success. A refusal
/// changed nothing and is not here. From these alone the model predicts every balance, every
/// journal entry and every order event.
/// </summary>
public sealed record DepositFact(string User, string Asset, BigInteger Amount, string TxId);

public sealed record TransferFact(string From, string To, string Asset, BigInteger Amount, string Key);

public enum WithdrawalOutcome
{
    Pending,
    Completed,
    Failed,
}

public sealed class WithdrawalFact(string user, string id, string asset, BigInteger amount, string address)
{
    public string User { get; } = user;
    public string Id { get; } = id;
    public string Asset { get; } = asset;
    public BigInteger Amount { get; } = amount;
    public string Address { get; } = address;
    public WithdrawalOutcome Outcome { get; set; } = WithdrawalOutcome.Pending;
}

public sealed record FillFact(string FillId, BigInteger Sold, BigInteger Bought);

/// <summary>An order whose placement was acknowledged; changed only by the client that placed it.</summary>
public sealed class OrderFact(string orderId, string user, string sellAsset, BigInteger sellAmount, string buyAsset, BigInteger minBuy)
{
    public string OrderId { get; } = orderId;
    public string User { get; } = user;
    public string SellAsset { get; } = sellAsset;
    public BigInteger SellAmount { get; } = sellAmount;
    public string BuyAsset { get; } = buyAsset;
    public BigInteger MinBuy { get; } = minBuy;
    public string? RejectReason { get; set; }
    public List<FillFact> Fills { get; } = [];
    public bool Cancelled { get; set; }

    public bool Rejected => RejectReason is not null;
    public BigInteger Sold => Fills.Aggregate(BigInteger.Zero, (sum, f) => sum + f.Sold);
    public BigInteger Bought => Fills.Aggregate(BigInteger.Zero, (sum, f) => sum + f.Bought);
    public BigInteger Remaining => SellAmount - Sold;
    public bool IsOpen => !Rejected && !Cancelled && Remaining > 0;

    /// <summary>The status the service must report, from the acknowledged steps alone.</summary>
    public string ExpectedStatus => Rejected ? "Rejected" : Cancelled ? "Cancelled"
        : Remaining == 0 ? "Filled" : Fills.Count > 0 ? "PartiallyFilled" : "Placed";

    /// <summary>The event types, in order, that the acknowledged steps must have published.</summary>
    public IReadOnlyList<string> ExpectedEventTypes()
    {
        if (Rejected) return ["order.rejected"];
        var types = new List<string> { "order.placed" };
        var sold = BigInteger.Zero;
        foreach (var fill in Fills)
        {
            sold += fill.Sold;
            types.Add(sold == SellAmount ? "order.filled" : "order.partially_filled");
        }
        if (Cancelled) types.Add("order.cancelled");
        return types;
    }
}

/// <summary>One expected journal entry (bucket: available, held or external).</summary>
public sealed record ExpectedEntry(string EntryId, string OperationId, string Kind, string User, string Asset, string Bucket, BigInteger Amount);

/// <summary>Every client's facts together, and what they imply.</summary>
public sealed class Model
{
    public List<DepositFact> Deposits { get; } = [];
    public List<TransferFact> Transfers { get; } = [];
    public List<WithdrawalFact> Withdrawals { get; } = [];
    public List<OrderFact> Orders { get; } = [];

    /// <summary>Expected (available, held) per user and asset.</summary>
    public Dictionary<(string User, string Asset), (BigInteger Available, BigInteger Held)> ExpectedBalances()
    {
        var balances = new Dictionary<(string, string), (BigInteger Available, BigInteger Held)>();
        void Add(string user, string asset, BigInteger available, BigInteger held)
        {
            var current = balances.GetValueOrDefault((user, asset));
            balances[(user, asset)] = (current.Available + available, current.Held + held);
        }
        foreach (var d in Deposits) Add(d.User, d.Asset, d.Amount, 0);
        foreach (var t in Transfers)
        {
            Add(t.From, t.Asset, -t.Amount, 0);
            Add(t.To, t.Asset, t.Amount, 0);
        }
        foreach (var w in Withdrawals)
        {
            switch (w.Outcome)
            {
                case WithdrawalOutcome.Pending: Add(w.User, w.Asset, -w.Amount, w.Amount); break;
                case WithdrawalOutcome.Completed: Add(w.User, w.Asset, -w.Amount, 0); break;
                case WithdrawalOutcome.Failed: Add(w.User, w.Asset, 0, 0); break;
            }
        }
        foreach (var o in Orders.Where(o => !o.Rejected))
        {
            // Held at placement; each fill takes its sold part out of the hold and adds what it bought.
            Add(o.User, o.SellAsset, -o.SellAmount, o.SellAmount - o.Sold);
            Add(o.User, o.BuyAsset, o.Bought, 0);
            if (o.Cancelled) Add(o.User, o.SellAsset, o.Remaining, -o.Remaining);
        }
        return balances;
    }

    /// <summary>
    /// Per asset, what entered minus what left: deposits, minus completed withdrawals, minus what
    /// fills sold, plus what they bought. The sum of all balances must equal it.
    /// </summary>
    public Dictionary<string, BigInteger> ExpectedTotals()
    {
        var totals = new Dictionary<string, BigInteger>(StringComparer.Ordinal);
        void Add(string asset, BigInteger amount) => totals[asset] = totals.GetValueOrDefault(asset) + amount;
        foreach (var d in Deposits) Add(d.Asset, d.Amount);
        foreach (var w in Withdrawals.Where(w => w.Outcome == WithdrawalOutcome.Completed)) Add(w.Asset, -w.Amount);
        foreach (var o in Orders.Where(o => !o.Rejected))
        {
            Add(o.SellAsset, -o.Sold);
            Add(o.BuyAsset, o.Bought);
        }
        return totals;
    }

    /// <summary>
    /// The journal entries the acknowledged operations must have produced, exactly: operation id
    /// "{user}/{kind}/{key}", entry id "{operation}#{leg}", legs in the ledger's order
    /// (README "Ledger and reference data"; Grains/Ledger/Journal/LedgerMovements.cs).
    /// </summary>
    public List<ExpectedEntry> ExpectedJournal()
    {
        var entries = new List<ExpectedEntry>();
        void Op(string user, string key, string kind, params (string User, string Asset, string Bucket, BigInteger Amount)[] legs)
        {
            var operation = $"{user}/{key}";
            entries.AddRange(legs.Select((leg, i) =>
                new ExpectedEntry($"{operation}#{i}", operation, kind, leg.User, leg.Asset, leg.Bucket, leg.Amount)));
        }
        foreach (var d in Deposits)
            Op(d.User, "deposit/" + d.TxId, "deposit", (d.User, d.Asset, "external", -d.Amount), (d.User, d.Asset, "available", d.Amount));
        foreach (var t in Transfers)
        {
            // One operation per wallet: the payer's debit into its transit, the payee's credit out of it.
            Op(t.From, "transfer/" + t.Key, "transfer", (t.From, t.Asset, "available", -t.Amount), (t.From, t.Asset, "transit", t.Amount));
            Op(t.To, $"transfer-in/{t.From}/{t.Key}", "transfer", (t.From, t.Asset, "transit", -t.Amount), (t.To, t.Asset, "available", t.Amount));
        }
        foreach (var w in Withdrawals)
        {
            Op(w.User, "withdraw/" + w.Id, "withdrawal_request",
                (w.User, w.Asset, "available", -w.Amount), (w.User, w.Asset, "held", w.Amount));
            if (w.Outcome == WithdrawalOutcome.Completed)
                Op(w.User, "withdraw-complete/" + w.Id, "withdrawal_complete",
                    (w.User, w.Asset, "held", -w.Amount), (w.User, w.Asset, "external", w.Amount));
            if (w.Outcome == WithdrawalOutcome.Failed)
                Op(w.User, "withdraw-fail/" + w.Id, "withdrawal_fail",
                    (w.User, w.Asset, "held", -w.Amount), (w.User, w.Asset, "available", w.Amount));
        }
        foreach (var o in Orders.Where(o => !o.Rejected))
        {
            Op(o.User, "hold/" + o.OrderId, "order_hold",
                (o.User, o.SellAsset, "available", -o.SellAmount), (o.User, o.SellAsset, "held", o.SellAmount));
            foreach (var f in o.Fills)
                Op(o.User, $"fill/{o.OrderId}/{f.FillId}", "order_fill",
                    (o.User, o.SellAsset, "held", -f.Sold), (o.User, o.SellAsset, "external", f.Sold),
                    (o.User, o.BuyAsset, "external", -f.Bought), (o.User, o.BuyAsset, "available", f.Bought));
            // A release of nothing (fully filled before the cancel) writes no entries.
            if (o.Cancelled && o.Remaining > 0)
                Op(o.User, "release/" + o.OrderId, "order_release",
                    (o.User, o.SellAsset, "held", -o.Remaining), (o.User, o.SellAsset, "available", o.Remaining));
        }
        return entries;
    }
}
