using OrleansWallet.Assets;
using OrleansWallet.Ledger.Hosting;
using OrleansWallet.Ledger.Reference;

namespace OrleansWallet.Silo.Ledger;

/// <summary>
/// Writes the configured assets (section <c>Assets</c>) into the ledger's asset table once the
/// schema is migrated and before the ledger serves anything, so the withdrawal policy knows each
/// asset's chain. An upsert: every silo may run it, every start, and again after a failed attempt.
/// Assets only in the table (not configured) are left as they are.
/// </summary>
internal sealed class LedgerAssetSeeding(AssetCatalog assets, ReferenceData referenceData, ILogger<LedgerAssetSeeding> logger)
    : ILedgerStartupTask
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var asset in assets.All)
            await referenceData.UpsertAssetAsync(
                new Asset(asset.Symbol, asset.Chain, asset.Decimals, ContractAddress: null, Enabled: true), cancellationToken);
        logger.LogInformation("Ledger assets seeded: {Assets}", string.Join(", ", assets.All.Select(a => a.Symbol)));
    }
}
