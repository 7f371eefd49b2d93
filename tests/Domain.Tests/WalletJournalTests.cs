using System.Numerics;
using OrleansWallet.Wallet;
using static OrleansWallet.Domain.Tests.TestAssets;

namespace OrleansWallet.Domain.Tests;

/// <summary>Each wallet movement appends balanced journal entries to the outbox in the same change; replays and refusals append nothing.</summary>
public class WalletJournalTests
{
    private readonly WalletState _state = new();
    private readonly WalletAccount _alice;

    public WalletJournalTests() => _alice = new WalletAccount("alice", _state, Catalog);

    [Fact]
    public void Every_movement_appends_balanced_entries_and_replays_append_none()
    {
        _alice.CreditDeposit(new CreditDeposit("0xabc:0", "ETH", A(1_000)));
        _alice.CreditDeposit(new CreditDeposit("0xabc:0", "ETH", A(1_000)));
        _alice.RequestWithdrawal(new RequestWithdrawal("w1", "ETH", A(100), "0xdest"));
        _alice.CompleteWithdrawal("w1");
        _alice.RequestWithdrawal(new RequestWithdrawal("w2", "ETH", A(50), "0xdest"));
        _alice.FailWithdrawal("w2");
        _alice.FailWithdrawal("w2");
        _alice.PlaceHold(new PlaceHold("o1", "ETH", A(300)));
        _alice.SettleFill(new SettleFill("o1", "f1", A(100), "USDC", A(250)));
        _alice.ReleaseHold("o1");
        var start = _alice.BeginTransfer(new TransferFunds("t1", "bob", "ETH", A(10)));
        Assert.DoesNotContain(_state.LedgerOutbox, e => e.OperationId == "alice/transfer:t1");
        _alice.CompleteTransfer(WalletAccount.TransferKey("t1"));

        var outbox = _state.LedgerOutbox;
        Assert.Equal(2 + 2 + 2 + 2 + 2 + 2 + 4 + 2 + 2, outbox.Count);
        Assert.Equal(outbox.Count, outbox.Select(e => e.EntryId).Distinct().Count());
        Assert.All(outbox.GroupBy(e => (e.OperationId, e.Asset)), g => Assert.Equal(BigInteger.Zero, g.Sum(e => e.Amount)));
        // The journal's view of alice matches her balances.
        foreach (var balance in _alice.Balances())
        {
            Assert.Equal(balance.Available.Value, Sum(balance.Asset, "available"));
            Assert.Equal(balance.Held.Value, Sum(balance.Asset, "held"));
        }
        Assert.Equal(["bob"], outbox.Select(e => e.UserId).Where(u => u != "alice").Distinct());
        Assert.Equal(
            [new WithdrawalStatusUpdate("alice/withdraw:w1", true), new WithdrawalStatusUpdate("alice/withdraw:w2", false)],
            _state.WithdrawalStatusOutbox);
        Assert.NotNull(start.Pending);
    }

    [Fact]
    public void A_full_outbox_refuses_new_movements_and_changes_nothing()
    {
        for (var i = 0; _state.LedgerOutbox.Count + 4 <= WalletAccount.LedgerOutboxEntriesMax; i++)
            _alice.CreditDeposit(new CreditDeposit($"0x{i}:0", "ETH", A(1)));
        var deposited = _alice.BalanceOf("ETH");

        var refused = Assert.Throws<WalletException>(() => _alice.CreditDeposit(new CreditDeposit("0xlast:0", "ETH", A(1))));
        Assert.Equal(ErrorCodes.LedgerOutboxFull, refused.Code);
        Assert.Equal(ErrorKind.Unavailable, refused.Kind);
        Assert.Equal(deposited, _alice.BalanceOf("ETH"));

        _alice.RemoveJournaled(_state.LedgerOutbox.Take(100).Select(e => e.EntryId).ToList());
        Assert.False(_alice.CreditDeposit(new CreditDeposit("0xlast:0", "ETH", A(1))).Replayed);
    }

    [Fact]
    public void Operation_ids_are_user_scoped_and_bounded()
    {
        Assert.Equal("alice/deposit:0xabc:0", LedgerOperationIds.For("alice", "deposit:0xabc:0"));
        var longId = LedgerOperationIds.For(new string('u', 128), "fill:" + new string('o', 128) + ":f1");
        Assert.StartsWith("sha256:", longId);
        Assert.True(longId.Length <= Ledger.Journal.LedgerLimits.OperationIdLengthMax);
        Assert.Equal(longId, LedgerOperationIds.For(new string('u', 128), "fill:" + new string('o', 128) + ":f1"));
    }

    [Fact]
    public void Batches_end_on_operation_boundaries()
    {
        _alice.CreditDeposit(new CreditDeposit("0x1:0", "ETH", A(1)));
        _alice.PlaceHold(new PlaceHold("o1", "ETH", A(1)));
        _alice.CreditDeposit(new CreditDeposit("0x2:0", "USDC", A(1)));
        _alice.SettleFill(new SettleFill("o1", "f1", A(1), "USDC", A(1)));
        // 2 + 2 + 2 + 4 entries: a cut at 7 would split the fill, so the batch stops at 6.
        Assert.Equal(6, LedgerOutboxBatch.Take(_state.LedgerOutbox, 7).Count);
        Assert.Equal(10, LedgerOutboxBatch.Take(_state.LedgerOutbox, 1_000).Count);
        Assert.Equal(2, LedgerOutboxBatch.Take(_state.LedgerOutbox, 3).Count);
    }

    private BigInteger Sum(string asset, string bucket) =>
        _state.LedgerOutbox.Where(e => e.UserId == "alice" && e.Asset == asset && e.BucketName == bucket).Sum(e => e.Amount);
}

internal static class BigIntegerSums
{
    public static BigInteger Sum<T>(this IEnumerable<T> items, Func<T, BigInteger> selector) =>
        items.Aggregate(BigInteger.Zero, (sum, item) => sum + selector(item));
}
