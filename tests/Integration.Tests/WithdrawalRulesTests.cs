using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>Withdrawals are checked against the user's daily limit, allow-list and the address's checksum; refusals change nothing.</summary>
[Collection(LedgerClusterCollection.Name)]
public sealed class WithdrawalRulesTests(LedgerClusterFixture fixture)
{
    /// <summary>A tier of its own, so its small limit cannot meet other tests' users.</summary>
    private const int SmallLimitTier = 2;

    private readonly WalletChannel _channel = fixture.Channel;

    [Fact]
    public async Task Withdrawals_over_the_limit_off_the_allowlist_or_with_a_bad_checksum_are_refused()
    {
        var dave = Ids.User("dave");
        var wallets = _channel.Wallets;
        await _channel.Ledger.SetTierLimitAsync(SmallLimitTier, "ETH", 1_000);
        await _channel.Ledger.UpsertUserAsync(dave, SmallLimitTier);
        await _channel.Ledger.AddToAllowlistAsync(dave, "ethereum", WithdrawalSetup.EthereumAddress);
        await wallets.CreditDepositAsync(dave, "ETH", 10_000, "0xrules:" + dave);
        Balance[] untouched = [new("ETH", 10_000, 0)];

        var overLimit = await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            wallets.RequestWithdrawalAsync(dave, "w-over", "ETH", 1_001, WithdrawalSetup.EthereumAddress));
        Assert.Equal("daily_limit_exceeded", overLimit.Reason);

        var notAllowed = await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            wallets.RequestWithdrawalAsync(dave, "w-elsewhere", "ETH", 10, "0x0000000000000000000000000000000000000001"));
        Assert.Equal("address_not_allowlisted", notAllowed.Reason);

        // The allow-listed address with one letter's case flipped: its EIP-55 checksum no longer holds.
        var badChecksum = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            wallets.RequestWithdrawalAsync(dave, "w-typo", "ETH", 10, "0x52908400098527886e0F7030069857D2E4169EE7"));
        Assert.Equal("address_checksum", badChecksum.Reason);

        var wrongChain = await Assert.ThrowsAsync<InvalidRequestException>(() =>
            wallets.RequestWithdrawalAsync(dave, "w-chain", "ETH", 10, WithdrawalSetup.BitcoinAddress));
        Assert.Equal("address_invalid", wrongChain.Reason);
        Assert.Equal(untouched, await wallets.GetBalancesAsync(dave));

        var accepted = await wallets.RequestWithdrawalAsync(dave, "w-ok", "ETH", 600, WithdrawalSetup.EthereumAddress);
        Assert.Equal(new Balance("ETH", 9_400, 600), accepted.Balance);
        // The pending 600 counts towards the day: 500 more would exceed 1,000.
        var overToday = await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            wallets.RequestWithdrawalAsync(dave, "w-more", "ETH", 500, WithdrawalSetup.EthereumAddress));
        Assert.Equal("daily_limit_exceeded", overToday.Reason);

        // A failed withdrawal frees its share of the limit once the policy has heard of it.
        await wallets.FailWithdrawalAsync(dave, "w-ok");
        await fixture.WaitUntilJournaledAsync(dave);
        var afterFailure = await wallets.RequestWithdrawalAsync(dave, "w-more", "ETH", 500, WithdrawalSetup.EthereumAddress);
        Assert.Equal(new Balance("ETH", 9_500, 500), afterFailure.Balance);
        Assert.True((await wallets.RequestWithdrawalAsync(dave, "w-more", "ETH", 500, WithdrawalSetup.EthereumAddress)).Replayed);
    }

    [Fact]
    public async Task Withdrawals_of_unregistered_users_are_refused()
    {
        var erin = Ids.User("erin");
        await _channel.Wallets.CreditDepositAsync(erin, "BTC", 1_000, "0xunknown:" + erin);
        var refused = await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            _channel.Wallets.RequestWithdrawalAsync(erin, "w1", "BTC", 10, WithdrawalSetup.BitcoinAddress));
        Assert.Equal("unknown_user", refused.Reason);
        Assert.Equal([new Balance("BTC", 1_000, 0)], await _channel.Wallets.GetBalancesAsync(erin));
    }
}
