using Microsoft.Extensions.Options;
using OrleansWallet.Money;

namespace OrleansWallet.Assets;

/// <summary>The known assets, by symbol. Operations on any other symbol are refused.</summary>
public sealed class AssetCatalog
{
    private readonly Dictionary<string, AssetInfo> _bySymbol;

    public AssetCatalog(IEnumerable<AssetInfo> assets) =>
        _bySymbol = assets.ToDictionary(a => a.Symbol, StringComparer.Ordinal);

    public static AssetCatalog FromOptions(IOptions<AssetOptions> options) =>
        new(options.Value.List.Select(a => new AssetInfo(a.Symbol, a.Chain, a.Decimals)));

    public IReadOnlyCollection<AssetInfo> All => _bySymbol.Values;

    public AssetInfo Require(string? symbol, string field)
    {
        if (string.IsNullOrEmpty(symbol))
            throw new WalletException(ErrorCodes.AssetUnknown, $"{field} is required");
        if (!_bySymbol.TryGetValue(symbol, out var asset))
            throw new WalletException(ErrorCodes.AssetUnknown,
                $"{field}: unknown asset '{(symbol.Length > 32 ? symbol[..32] : symbol)}' (known: {string.Join(", ", _bySymbol.Keys)})");
        return asset;
    }
}
