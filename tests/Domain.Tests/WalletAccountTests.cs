using OrleansWallet.Wallet;
using static OrleansWallet.Domain.Tests.TestAssets;

namespace OrleansWallet.Domain.Tests;

public class WalletAccountTests
{
    private readonly WalletState _state = new();
    private readonly WalletAccount _alice;

    public WalletAccountTests() => _alice = new WalletAccount("alice", _state, Catalog);

    [Fact]
    public void Deposit_credits_available_once_per_tx_id()
    {
        var first = _alice.CreditDeposit(new CreditDeposit("0xabc:0", "ETH", A(100)));
        var replay = _alice.CreditDeposit(new CreditDeposit("0xabc:0", "ETH", A(100)));

        Assert.False(first.Replayed);
        Assert.True(replay.Replayed);
        Assert.Equal(first with { Replayed = true }, replay);
        Assert.Equal(A(100), _alice.BalanceOf("ETH").Available);
    }

    [Fact]
    public void Same_key_with_another_payload_is_a_conflict_and_changes_nothing()
    {
        _alice.CreditDeposit(new CreditDeposit("0xabc:0", "ETH", A(100)));
        var ex = Assert.Throws<WalletException>(() => _alice.CreditDeposit(new CreditDeposit("0xabc:0", "ETH", A(101))));
        Assert.Equal(ErrorCodes.IdempotencyConflict, ex.Code);
        Assert.Equal(ErrorKind.AlreadyExists, ex.Kind);
        Assert.Equal(A(100), _alice.BalanceOf("ETH").Available);
    }

    [Theory]
    [InlineData("", "ETH", 1, ErrorCodes.KeyMissing)]
    [InlineData("0xabc:0", "DOGE", 1, ErrorCodes.AssetUnknown)]
    [InlineData("0xabc:0", "", 1, ErrorCodes.AssetUnknown)]
    [InlineData("0xabc:0", "ETH", 0, ErrorCodes.AmountZero)]
    [InlineData("bad key!", "ETH", 1, ErrorCodes.KeyMalformed)]
    public void Bad_deposits_are_refused_and_change_nothing(string txId, string asset, long amount, string code)
    {
        var ex = Assert.Throws<WalletException>(() => _alice.CreditDeposit(new CreditDeposit(txId, asset, A(amount))));
        Assert.Equal(code, ex.Code);
        Assert.Empty(_state.Balances);
        Assert.Empty(_state.Unarchived);
    }

    [Fact]
    public void Withdrawal_holds_then_completes_or_fails()
    {
        _alice.CreditDeposit(new CreditDeposit("d1", "ETH", A(100)));
        _alice.RequestWithdrawal(new RequestWithdrawal("w1", "ETH", A(30), "0xdest"));
        Assert.Equal(new AssetBalance("ETH", A(70), A(30)), _alice.BalanceOf("ETH"));

        _alice.CompleteWithdrawal("w1");
        Assert.Equal(new AssetBalance("ETH", A(70), A(0)), _alice.BalanceOf("ETH"));

        _alice.RequestWithdrawal(new RequestWithdrawal("w2", "ETH", A(20), "0xdest"));
        _alice.FailWithdrawal("w2");
        Assert.Equal(new AssetBalance("ETH", A(70), A(0)), _alice.BalanceOf("ETH"));
        Assert.Null(_alice.FindInvariantViolation());
    }

    [Fact]
    public void A_settled_withdrawal_cannot_be_settled_the_other_way()
    {
        _alice.CreditDeposit(new CreditDeposit("d1", "ETH", A(100)));
        _alice.RequestWithdrawal(new RequestWithdrawal("w1", "ETH", A(30), "0xdest"));
        _alice.CompleteWithdrawal("w1");

        Assert.True(_alice.CompleteWithdrawal("w1").Replayed);
        var ex = Assert.Throws<WalletException>(() => _alice.FailWithdrawal("w1"));
        Assert.Equal(ErrorCodes.WithdrawalNotPending, ex.Code);
        Assert.Equal(new AssetBalance("ETH", A(70), A(0)), _alice.BalanceOf("ETH"));
    }

    [Fact]
    public void Unknown_withdrawal_is_not_found()
    {
        var ex = Assert.Throws<WalletException>(() => _alice.CompleteWithdrawal("nope"));
        Assert.Equal(ErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public void Withdrawal_beyond_available_is_refused()
    {
        _alice.CreditDeposit(new CreditDeposit("d1", "ETH", A(10)));
        var ex = Assert.Throws<WalletException>(() => _alice.RequestWithdrawal(new RequestWithdrawal("w1", "ETH", A(11), "0xdest")));
        Assert.Equal(ErrorCodes.InsufficientFunds, ex.Code);
        Assert.Equal(ErrorKind.FailedPrecondition, ex.Kind);
        Assert.Equal(new AssetBalance("ETH", A(10), A(0)), _alice.BalanceOf("ETH"));
        Assert.Empty(_state.PendingWithdrawals);
    }

    [Fact]
    public void Transfer_debits_then_completes_once_and_the_payee_credits_once()
    {
        var bobState = new WalletState();
        var bob = new WalletAccount("bob", bobState, Catalog);
        _alice.CreditDeposit(new CreditDeposit("d1", "USDC", A(50)));

        var start = _alice.BeginTransfer(new TransferFunds("t1", "bob", "USDC", A(20)));
        Assert.True(start.IsNew);
        Assert.Equal(A(30), _alice.BalanceOf("USDC").Available);

        // The caller retries before the credit landed: the same intent, no second debit.
        var retry = _alice.BeginTransfer(new TransferFunds("t1", "bob", "USDC", A(20)));
        Assert.False(retry.IsNew);
        Assert.Same(start.Pending, retry.Pending);
        Assert.Equal(A(30), _alice.BalanceOf("USDC").Available);

        var incoming = new IncomingTransfer("alice", "t1", "USDC", A(20));
        bob.ReceiveTransfer(incoming);
        Assert.True(bob.ReceiveTransfer(incoming).Replayed);
        Assert.Equal(A(20), bob.BalanceOf("USDC").Available);

        var key = WalletKeys.Transfer("t1");
        Assert.False(_alice.CompleteTransfer(key).Replayed);
        Assert.True(_alice.CompleteTransfer(key).Replayed);
        Assert.NotNull(_alice.BeginTransfer(new TransferFunds("t1", "bob", "USDC", A(20))).Completed);
        Assert.Empty(_alice.PendingTransfers);
        Assert.Equal(A(30), _alice.BalanceOf("USDC").Available);
    }

    [Fact]
    public void Transfer_to_self_is_refused()
    {
        _alice.CreditDeposit(new CreditDeposit("d1", "USDC", A(50)));
        var ex = Assert.Throws<WalletException>(() => _alice.BeginTransfer(new TransferFunds("t1", "alice", "USDC", A(1))));
        Assert.Equal(ErrorCodes.TransferToSelf, ex.Code);
    }

    [Fact]
    public void Order_hold_settles_fills_and_releases_the_rest()
    {
        _alice.CreditDeposit(new CreditDeposit("d1", "ETH", A(100)));
        _alice.PlaceHold(new PlaceHold("o1", "ETH", A(60)));
        Assert.Equal(new AssetBalance("ETH", A(40), A(60)), _alice.BalanceOf("ETH"));

        _alice.SettleFill(new SettleFill("o1", "f1", A(25), "USDC", A(75_000)));
        Assert.True(_alice.SettleFill(new SettleFill("o1", "f1", A(25), "USDC", A(75_000))).Replayed);
        Assert.Equal(new AssetBalance("ETH", A(40), A(35)), _alice.BalanceOf("ETH"));
        Assert.Equal(A(75_000), _alice.BalanceOf("USDC").Available);

        _alice.ReleaseHold("o1");
        Assert.True(_alice.ReleaseHold("o1").Replayed);
        Assert.Equal(new AssetBalance("ETH", A(75), A(0)), _alice.BalanceOf("ETH"));
        Assert.Null(_alice.FindInvariantViolation());
    }

    [Fact]
    public void Settling_more_than_is_held_is_refused()
    {
        _alice.CreditDeposit(new CreditDeposit("d1", "ETH", A(100)));
        _alice.PlaceHold(new PlaceHold("o1", "ETH", A(10)));
        var ex = Assert.Throws<WalletException>(() => _alice.SettleFill(new SettleFill("o1", "f1", A(11), "USDC", A(1))));
        Assert.Equal(ErrorCodes.OrderOverfill, ex.Code);
        Assert.Equal(new AssetBalance("ETH", A(90), A(10)), _alice.BalanceOf("ETH"));
    }

    [Fact]
    public void Ids_with_colons_cannot_collide_in_composite_keys()
    {
        // "a" paying with key "b:c" and "a:b" paying with key "c" are two transfers, not one replayed.
        var payee = new WalletAccount("p", new WalletState(), Catalog);
        Assert.False(payee.ReceiveTransfer(new IncomingTransfer("a", "b:c", "ETH", A(5))).Replayed);
        Assert.False(payee.ReceiveTransfer(new IncomingTransfer("a:b", "c", "ETH", A(5))).Replayed);
        Assert.Equal(A(10), payee.BalanceOf("ETH").Available);

        // Order "o:1" fill "f" and order "o" fill "1:f" are two fills.
        _alice.CreditDeposit(new CreditDeposit("d1", "ETH", A(100)));
        _alice.PlaceHold(new PlaceHold("o:1", "ETH", A(10)));
        _alice.PlaceHold(new PlaceHold("o", "ETH", A(10)));
        Assert.False(_alice.SettleFill(new SettleFill("o:1", "f", A(1), "USDC", A(3))).Replayed);
        Assert.False(_alice.SettleFill(new SettleFill("o", "1:f", A(1), "USDC", A(3))).Replayed);
        Assert.Equal(A(6), _alice.BalanceOf("USDC").Available);
    }

    [Fact]
    public void A_credit_past_2_pow_256_is_refused_and_moves_between_buckets_never_overflow()
    {
        var max = Money.Amount.From(Money.Amount.MaxValue);
        _alice.CreditDeposit(new CreditDeposit("d1", "ETH", Money.Amount.From(Money.Amount.MaxValue - 10)));
        _alice.PlaceHold(new PlaceHold("o1", "ETH", A(5)));
        _alice.RequestWithdrawal(new RequestWithdrawal("w1", "ETH", A(5), "0xdest"));
        var before = _alice.BalanceOf("ETH");

        // available + held is what counts: 2^256-1 - 10 plus 11 does not fit, even with 10 held.
        var refused = Assert.Throws<WalletException>(() => _alice.CreditDeposit(new CreditDeposit("d2", "ETH", A(11))));
        Assert.Equal(ErrorCodes.BalanceOverflow, refused.Code);
        Assert.Equal(ErrorKind.FailedPrecondition, refused.Kind);
        Assert.Equal(before, _alice.BalanceOf("ETH"));

        _alice.CreditDeposit(new CreditDeposit("d3", "ETH", A(10)));
        _alice.ReleaseHold("o1");
        _alice.FailWithdrawal("w1");
        Assert.Equal(new AssetBalance("ETH", max, A(0)), _alice.BalanceOf("ETH"));
        Assert.Throws<WalletException>(() => _alice.ReceiveTransfer(new IncomingTransfer("bob", "t1", "ETH", A(1))));
        Assert.Equal(new AssetBalance("ETH", max, A(0)), _alice.BalanceOf("ETH"));
    }

    [Fact]
    public void A_refused_transfer_returns_the_debit_and_replays_as_refused()
    {
        _alice.CreditDeposit(new CreditDeposit("d1", "USDC", A(50)));
        var start = _alice.BeginTransfer(new TransferFunds("t1", "bob", "USDC", A(20)));

        var refusal = _alice.RefundTransfer(start.Key, new WalletException(ErrorCodes.BalanceOverflow, "full"));
        Assert.Equal(ErrorCodes.TransferRefused, refusal.Code);
        Assert.Equal(A(50), _alice.BalanceOf("USDC").Available);
        Assert.Empty(_alice.PendingTransfers);
        var replay = Assert.Throws<WalletException>(() => _alice.BeginTransfer(new TransferFunds("t1", "bob", "USDC", A(20))));
        Assert.Equal(ErrorCodes.TransferRefused, replay.Code);
        Assert.Equal(A(50), _alice.BalanceOf("USDC").Available);
        // Out and back through transit: the journal's view of alice's transit is zero again.
        Assert.Equal(System.Numerics.BigInteger.Zero, _state.LedgerOutbox.Where(e => e.BucketName == "transit")
            .Aggregate(System.Numerics.BigInteger.Zero, (sum, e) => sum + e.Amount));
    }

    [Fact]
    public void A_clone_copies_every_property_and_shares_no_collection()
    {
        _alice.CreditDeposit(new CreditDeposit("d1", "ETH", A(100)));
        _alice.PlaceHold(new PlaceHold("o1", "ETH", A(10)));
        _alice.RequestWithdrawal(new RequestWithdrawal("w1", "ETH", A(5), "0xdest"));
        _alice.BeginTransfer(new TransferFunds("t1", "bob", "ETH", A(1)));
        _alice.CompleteWithdrawal("w1");
        _alice.RequestWithdrawal(new RequestWithdrawal("w2", "ETH", A(5), "0xdest"));
        _state.ArchiveInUse = true;

        var clone = _state.Clone();
        foreach (var property in typeof(WalletState).GetProperties())
        {
            var original = property.GetValue(_state);
            var copied = property.GetValue(clone);
            if (original is System.Collections.IEnumerable items)
            {
                Assert.NotSame(original, copied);
                Assert.Equal(items.Cast<object>(), ((System.Collections.IEnumerable)copied!).Cast<object>());
                Assert.NotEmpty(items.Cast<object>());
            }
            else Assert.Equal(original, copied);
        }
    }
}
