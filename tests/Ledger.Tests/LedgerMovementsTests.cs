using System.Numerics;
using OrleansWallet.Ledger.Journal;

namespace OrleansWallet.Ledger.Tests;

public class LedgerMovementsTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, IReadOnlyList<LedgerEntry>> EveryMovement => new()
    {
        { "deposit", LedgerMovements.Deposit("op", "alice", "ETH", 5, At) },
        { "withdrawal_request", LedgerMovements.WithdrawalRequest("op", "alice", "ETH", 5, At) },
        { "withdrawal_complete", LedgerMovements.WithdrawalComplete("op", "alice", "ETH", 5, At) },
        { "withdrawal_fail", LedgerMovements.WithdrawalFail("op", "alice", "ETH", 5, At) },
        { "transfer", LedgerMovements.TransferOut("op", "alice", "ETH", 5, At) },
        { "transfer", LedgerMovements.TransferIn("op", "alice", "bob", "ETH", 5, At) },
        { "transfer_refund", LedgerMovements.TransferRefund("op", "alice", "ETH", 5, At) },
        { "order_hold", LedgerMovements.OrderHold("op", "alice", "ETH", 5, At) },
        { "order_fill", LedgerMovements.OrderFill("op", "alice", "ETH", 5, "USDC", 7, At) },
        { "order_release", LedgerMovements.OrderRelease("op", "alice", "ETH", 5, At) },
    };

    [Theory]
    [MemberData(nameof(EveryMovement))]
    public void Every_movement_balances_per_asset_and_has_deterministic_ids(string kind, IReadOnlyList<LedgerEntry> entries)
    {
        Assert.All(entries.GroupBy(e => e.Asset), g => Assert.Equal(BigInteger.Zero, g.Aggregate(BigInteger.Zero, (s, e) => s + e.Amount)));
        Assert.Equal(Enumerable.Range(0, entries.Count).Select(i => $"op#{i}"), entries.Select(e => e.EntryId));
        Assert.All(entries, e => Assert.Equal(kind, e.Kind.ToString().ToSnakeCase()));
    }

    [Fact]
    public void Deposit_moves_external_to_available()
    {
        var entries = LedgerMovements.Deposit("d1", "alice", "ETH", 10, At);
        Assert.Equal([(LedgerBucket.External, new BigInteger(-10)), (LedgerBucket.Available, new BigInteger(10))],
            entries.Select(e => (e.Bucket, e.Amount)));
    }

    [Fact]
    public void A_transfer_passes_through_the_payers_transit_so_both_legs_together_move_available_to_available()
    {
        var legs = LedgerMovements.TransferOut("alice/transfer/t1", "alice", "ETH", 5, At)
            .Concat(LedgerMovements.TransferIn("bob/transfer-in/alice/t1", "alice", "bob", "ETH", 5, At)).ToList();
        var net = legs.GroupBy(e => (e.UserId, e.Bucket)).ToDictionary(g => g.Key, g => g.Aggregate(BigInteger.Zero, (s, e) => s + e.Amount));
        Assert.Equal(new BigInteger(-5), net[("alice", LedgerBucket.Available)]);
        Assert.Equal(BigInteger.Zero, net[("alice", LedgerBucket.Transit)]);
        Assert.Equal(new BigInteger(5), net[("bob", LedgerBucket.Available)]);
    }

    [Fact]
    public void Order_fill_settles_each_asset_through_external()
    {
        var entries = LedgerMovements.OrderFill("f1", "alice", "ETH", 2, "USDC", 7000, At);
        Assert.Equal(
            [("ETH", LedgerBucket.Held, new BigInteger(-2)), ("ETH", LedgerBucket.External, new BigInteger(2)),
             ("USDC", LedgerBucket.External, new BigInteger(-7000)), ("USDC", LedgerBucket.Available, new BigInteger(7000))],
            entries.Select(e => (e.Asset, e.Bucket, e.Amount)));
    }

    [Fact]
    public void Zero_negative_and_oversized_amounts_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LedgerMovements.Deposit("d", "alice", "ETH", 0, At));
        Assert.Throws<ArgumentOutOfRangeException>(() => LedgerMovements.Deposit("d", "alice", "ETH", -1, At));
        Assert.Throws<ArgumentOutOfRangeException>(() => LedgerMovements.Deposit("d", "alice", "ETH", BigInteger.Pow(2, 256), At));
        Assert.Throws<ArgumentException>(() => LedgerMovements.TransferIn("t", "alice", "alice", "ETH", 1, At));
    }
}

internal static class NameCase
{
    public static string ToSnakeCase(this string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
