using OrleansWallet.Assets;
using OrleansWallet.Ledger.Reference;

namespace OrleansWallet.Silo.Ledger;

/// <summary>
/// Writes the configured assets (section <c>Assets</c>) into the ledger's asset table at start,
/// so the withdrawal policy knows each asset's chain. An upsert: every silo may run it, every start.
/// Assets only in the table (not configured) are left as they are.
/// </summary>
internal sealed class LedgerAssetSeeding(AssetCatalog assets, ReferenceData referenceData, ILogger<LedgerAssetSeeding> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var asset in assets.All)
            await referenceData.UpsertAssetAsync(
                new Asset(asset.Symbol, asset.Chain, asset.Decimals, ContractAddress: null, Enabled: true), cancellationToken);
        logger.LogInformation("Ledger assets seeded: {Assets}", string.Join(", ", assets.All.Select(a => a.Symbol)));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
