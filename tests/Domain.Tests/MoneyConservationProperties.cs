using System.Numerics;
using FsCheck.Xunit;
using OrleansWallet.Money;
using OrleansWallet.Wallet;
using static OrleansWallet.Domain.Tests.TestAssets;

namespace OrleansWallet.Domain.Tests;

/// <summary>
/// Random sequences of every wallet operation over three wallets, with the silo's writer moving
/// answers out to the operation archive at random points: whatever happens (refusals included),
/// per asset the wallets hold exactly what came in minus what went out, each wallet's held equals
/// its open withdrawals and holds, and replaying everything — answered from state or from the
/// archive — moves nothing.
/// </summary>
public class MoneyConservationProperties
{
    private static readonly string[] Users = ["u0", "u1", "u2"];
    private static readonly string[] Assets = ["ETH", "USDC"];

    [Property(MaxTest = 300)]
    public bool Money_is_neither_created_nor_destroyed(int[] script) => Run(script, new HashSet<int>());

    [Fact]
    public void A_long_script_exercises_every_operation_kind()
    {
        var kindsApplied = new HashSet<int>();
        Assert.True(Run(Enumerable.Range(0, 3_000).ToArray(), kindsApplied));
        Assert.Equal(Enumerable.Range(0, 8), kindsApplied.Order());
    }

    private static bool Run(int[] script, HashSet<int> kindsApplied)
    {
        var states = Users.ToDictionary(u => u, _ => new WalletState());
        var archives = Users.ToDictionary(u => u, _ => new Dictionary<string, OperationRecord>(StringComparer.Ordinal));
        WalletAccount Wallet(string user) => new(user, states[user], Catalog, archived: archives[user]);
        var external = Assets.ToDictionary(a => a, _ => BigInteger.Zero); // in minus out
        var applied = new List<Action>();

        for (var step = 0; step < script.Length; step++)
        {
            // FsCheck's ints are small; spread each over all fields (Knuth's multiplicative hash).
            var op = unchecked((uint)script[step] * 2654435761u + (uint)step * 40503u);
            var user = Users[op % 3];
            var other = Users[(op / 3) % 3];
            var asset = Assets[(op / 9) % 2];
            var amount = A((op / 18) % 50);
            var id = $"k:{step}";
            var previous = $"k:{Math.Max(0, step - (int)((op / 900) % 4) - 1)}";
            var kind = (int)((op / 3600) % 8);
            void Try(Action action, Action onSuccess)
            {
                try { action(); onSuccess(); applied.Add(action); kindsApplied.Add(kind); }
                catch (WalletException) { /* refused: must have changed nothing, checked below */ }
            }

            switch (kind)
            {
                case 0:
                    Try(() => Wallet(user).CreditDeposit(new CreditDeposit(id, asset, amount)), () => external[asset] += amount.Value);
                    break;
                case 1:
                    Try(() => Wallet(user).RequestWithdrawal(new RequestWithdrawal(id, asset, amount, "0xdest")), () => { });
                    break;
                case 2:
                    var pending = states[user].PendingWithdrawals.FirstOrDefault();
                    if (pending.Key is { } wid)
                        Try(() => Wallet(user).CompleteWithdrawal(wid), () => external[pending.Value.Asset] -= pending.Value.Amount.Value);
                    break;
                case 3:
                    var toFail = states[user].PendingWithdrawals.FirstOrDefault().Key;
                    if (toFail is not null) Try(() => Wallet(user).FailWithdrawal(toFail), () => { });
                    break;
                case 4:
                    Try(() =>
                    {
                        var start = Wallet(user).BeginTransfer(new TransferFunds(id, other, asset, amount));
                        if (start.Completed is not null) return;
                        Wallet(other).ReceiveTransfer(new IncomingTransfer(user, id, asset, amount));
                        Wallet(user).CompleteTransfer(start.Key);
                    }, () => { });
                    break;
                case 5:
                    Try(() => Wallet(user).PlaceHold(new PlaceHold(id, asset, amount)), () => { });
                    break;
                case 6:
                    var hold = states[user].Holds.FirstOrDefault();
                    if (hold.Key is { } orderId)
                    {
                        var sold = A((long)(hold.Value.Remaining.Value % 7));
                        var boughtAsset = hold.Value.Asset == "ETH" ? "USDC" : "ETH";
                        var bought = A((op / 18) % 100 + 1);
                        if (sold.IsZero)
                            Try(() => Wallet(user).ReleaseHold(orderId), () => { });
                        else
                            Try(() => Wallet(user).SettleFill(new SettleFill(orderId, previous, sold, boughtAsset, bought)), () =>
                            {
                                external[hold.Value.Asset] -= sold.Value;
                                external[boughtAsset] += bought.Value;
                            });
                    }
                    break;
                case 7:
                    // A transfer the payee refuses for good: the payer gets its money back.
                    Try(() =>
                    {
                        var start = Wallet(user).BeginTransfer(new TransferFunds(id, other, asset, amount));
                        if (start.IsNew) Wallet(user).RefundTransfer(start.Key, new WalletException(ErrorCodes.AssetUnknown, "gone"));
                    }, () => { });
                    break;
            }

            // The silo's writer, now and then: answers go to the archive and leave the state.
            if (op % 5 == 0)
                foreach (var u in Users)
                {
                    foreach (var record in states[u].Unarchived) archives[u][record.Key] = record;
                    Wallet(u).Trim(states[u].LastSequence, states[u].LastSequence);
                }
        }

        bool Conserved() => Assets.All(a =>
            states.Values.Aggregate(BigInteger.Zero, (sum, s) =>
                sum + (s.Balances.TryGetValue(a, out var b) ? b.Available.Value + b.Held.Value : 0)) == external[a]);
        bool Consistent() => Users.All(u => Wallet(u).FindInvariantViolation() is null && states[u].PendingTransfersOut.Count == 0);

        if (!Conserved() || !Consistent()) return false;
        var before = Users.Select(u => string.Join(",", Wallet(u).Balances())).ToList();
        foreach (var replay in applied)
        {
            try { replay(); }
            catch (WalletException refused) when (refused.Code == ErrorCodes.TransferRefused) { /* replays as refused */ }
        }
        var after = Users.Select(u => string.Join(",", Wallet(u).Balances())).ToList();
        return before.SequenceEqual(after) && Conserved() && Consistent();
    }
}
