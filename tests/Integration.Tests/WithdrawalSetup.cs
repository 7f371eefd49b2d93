using System.Numerics;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// Withdrawals need reference data in the ledger: the user registered with a KYC tier that has a
/// daily limit for the asset, and the destination on their allow-list. This sets that up through
/// the SDK's admin calls for the tests' usual destinations.
/// </summary>
internal static class WithdrawalSetup
{
    public const string EthereumAddress = "0x52908400098527886E0F7030069857D2E4169EE7";
    public const string BitcoinAddress = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

    /// <summary>The tier the tests' users get; its limits are far above any test amount.</summary>
    public const int GenerousTier = 1;

    private static readonly BigInteger GenerousDailyLimit = BigInteger.Pow(10, 30);

    public static async Task AllowWithdrawalsAsync(WalletChannel channel, params string[] userIds)
    {
        foreach (var asset in new[] { "ETH", "USDC", "BTC" })
            await channel.Ledger.SetTierLimitAsync(GenerousTier, asset, GenerousDailyLimit);
        foreach (var user in userIds)
        {
            await channel.Ledger.UpsertUserAsync(user, GenerousTier);
            await channel.Ledger.AddToAllowlistAsync(user, "ethereum", EthereumAddress);
            await channel.Ledger.AddToAllowlistAsync(user, "bitcoin", BitcoinAddress);
        }
    }
}
