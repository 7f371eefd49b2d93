using System.Numerics;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Wallet;
using OrleansWallet.Wallet.Outbox;
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
        // The payer's leg is journaled with the debit; completing adds nothing.
        Assert.Contains(_state.LedgerOutbox, e => e.OperationId == "alice/transfer/t1");
        var entriesBeforeCompletion = _state.LedgerOutbox.Count;
        _alice.CompleteTransfer(start.Key);
        Assert.Equal(entriesBeforeCompletion, _state.LedgerOutbox.Count);

        var outbox = _state.LedgerOutbox;
        Assert.Equal(2 + 2 + 2 + 2 + 2 + 2 + 4 + 2 + 2, outbox.Count);
        Assert.Equal(outbox.Count, outbox.Select(e => e.EntryId).Distinct().Count());
        Assert.All(outbox.GroupBy(e => (e.OperationId, e.Asset)), g => Assert.Equal(BigInteger.Zero, g.Sum(e => e.Amount)));
        // The journal's view of alice matches her balances; the transfer's 10 sits in her transit
        // until bob's wallet journals the credit leg.
        foreach (var balance in _alice.Balances())
        {
            Assert.Equal(balance.Available.Value, Sum(balance.Asset, "available"));
            Assert.Equal(balance.Held.Value, Sum(balance.Asset, "held"));
        }
        Assert.Equal(new BigInteger(10), Sum("ETH", "transit"));
        Assert.All(outbox, e => Assert.Equal("alice", e.UserId));
        Assert.Equal(["alice/withdraw/w1", "alice/withdraw/w2"], _state.WithdrawalStatusOutbox.Select(u => u.PolicyWithdrawalId));
        Assert.Equal([true, false], _state.WithdrawalStatusOutbox.Select(u => u.Completed));
    }

    [Fact]
    public void The_payees_credit_leg_empties_the_payers_transit()
    {
        var bob = new WalletAccount("bob", new WalletState(), Catalog);
        _alice.CreditDeposit(new CreditDeposit("d1", "ETH", A(100)));
        var start = _alice.BeginTransfer(new TransferFunds("t1", "bob", "ETH", A(30)));
        bob.ReceiveTransfer(new IncomingTransfer("alice", "t1", "ETH", A(30)));
        var entries = _state.LedgerOutbox.Concat(bob.LedgerOutbox).ToList();

        var net = entries.GroupBy(e => (e.UserId, e.BucketName)).ToDictionary(g => g.Key, g => g.Sum(e => e.Amount));
        Assert.Equal(new BigInteger(70), net[("alice", "available")]);
        Assert.Equal(BigInteger.Zero, net[("alice", "transit")]);
        Assert.Equal(new BigInteger(30), net[("bob", "available")]);
        Assert.Equal("bob/transfer-in/alice/t1", bob.LedgerOutbox[0].OperationId);
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

        // The writer journals the first 100 operations; the wallet drops them with its next write.
        _alice.Trim(journaledThrough: 100, archivedThrough: 0);
        Assert.False(_alice.CreditDeposit(new CreditDeposit("0xlast:0", "ETH", A(1))).Replayed);
    }

    [Fact]
    public void Trimming_moves_answers_to_the_archive_and_keys_are_then_answered_from_there()
    {
        _alice.CreditDeposit(new CreditDeposit("0x1:0", "ETH", A(5)));
        var archive = _state.Unarchived.ToDictionary(r => r.Key);
        Assert.True(_alice.Trim(_state.LastSequence, _state.LastSequence));
        Assert.True(_state.ArchiveInUse);
        Assert.Empty(_state.Unarchived);
        Assert.Empty(_state.LedgerOutbox);

        var withArchive = new WalletAccount("alice", _state, Catalog, archived: archive);
        Assert.True(withArchive.CreditDeposit(new CreditDeposit("0x1:0", "ETH", A(5))).Replayed);
        var conflict = Assert.Throws<WalletException>(() => withArchive.CreditDeposit(new CreditDeposit("0x1:0", "ETH", A(6))));
        Assert.Equal(ErrorCodes.IdempotencyConflict, conflict.Code);
        Assert.Equal(A(5), withArchive.BalanceOf("ETH").Available);
    }

    [Fact]
    public void Operation_ids_are_user_scoped_and_bounded()
    {
        Assert.Equal("alice/deposit/0xabc:0", LedgerOperationIds.For("alice", WalletKeys.Deposit("0xabc:0")));
        var longId = LedgerOperationIds.For(new string('u', 128), WalletKeys.Fill(new string('o', 128), "f1"));
        Assert.StartsWith("sha256:", longId);
        Assert.True(longId.Length <= LedgerLimits.OperationIdLengthMax);
        Assert.Equal(longId, LedgerOperationIds.For(new string('u', 128), WalletKeys.Fill(new string('o', 128), "f1")));
    }

    [Fact]
    public void Journal_statements_hold_whole_operations_of_many_wallets_within_the_bound()
    {
        _alice.CreditDeposit(new CreditDeposit("0x1:0", "ETH", A(1)));
        _alice.PlaceHold(new PlaceHold("o1", "ETH", A(1)));
        _alice.CreditDeposit(new CreditDeposit("0x2:0", "USDC", A(1)));
        _alice.SettleFill(new SettleFill("o1", "f1", A(1), "USDC", A(1)));
        var bobState = new WalletState();
        new WalletAccount("bob", bobState, Catalog).CreditDeposit(new CreditDeposit("0x3:0", "ETH", A(1)));
        var writer = WriterForTests();
        var work = new[]
        {
            new WalletWork(writer.Register("alice"), Snapshot(_state), 0),
            new WalletWork(writer.Register("bob"), Snapshot(bobState), 0),
        };

        // 2 + 2 + 2 + 4 entries of alice, 2 of bob; at most 7 a statement, never splitting the 4-entry fill.
        var statements = JournalStatement.Cut(work, 7).ToList();
        Assert.Equal([6, 6], statements.Select(s => s.Entries.Count));
        Assert.All(statements, s => Assert.All(s.Entries.GroupBy(e => (e.OperationId, e.Asset)),
            g => Assert.Equal(BigInteger.Zero, g.Aggregate(BigInteger.Zero, (sum, e) => sum + e.Amount))));
        Assert.Equal([3L, 4L], statements[0].Parts.Concat(statements[1].Parts).Where(p => p.Handle.UserId == "alice").Select(p => p.Through));
        Assert.Single(JournalStatement.Cut(work, 1_000));
    }

    private static OutboxSnapshot Snapshot(WalletState state) =>
        new(state.LedgerOutbox, state.Unarchived, state.WithdrawalStatusOutbox, state.LastSequence);

    private static LedgerOutboxWriter WriterForTests() => new(null!, null!, null!, TimeProvider.System,
        new TestMeterFactory(),
        Microsoft.Extensions.Logging.Abstractions.NullLogger<LedgerOutboxWriter>.Instance);

    private BigInteger Sum(string asset, string bucket) =>
        _state.LedgerOutbox.Where(e => e.UserId == "alice" && e.Asset == asset && e.BucketName == bucket).Sum(e => e.Amount);
}

internal static class BigIntegerSums
{
    public static BigInteger Sum<T>(this IEnumerable<T> items, Func<T, BigInteger> selector) =>
        items.Aggregate(BigInteger.Zero, (sum, item) => sum + selector(item));
}
