using OrleansWallet.Assets;
using OrleansWallet.Money;

namespace OrleansWallet.Domain.Tests;

internal static class TestAssets
{
    public static readonly AssetCatalog Catalog = new(
    [
        new AssetInfo("ETH", "ethereum", 18),
        new AssetInfo("USDC", "ethereum", 6),
        new AssetInfo("BTC", "bitcoin", 8),
    ]);

    public static Amount A(long value) => Amount.From(value);
}
