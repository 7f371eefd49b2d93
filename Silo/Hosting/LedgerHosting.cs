using OrleansWallet.Ledger.Hosting;
using OrleansWallet.Silo.Grpc;
using OrleansWallet.Silo.Ledger;
using OrleansWallet.Silo.Security;
using OrleansWallet.Wallet;

namespace OrleansWallet.Silo.Hosting;

/// <summary>
/// The ledger side of the silo: Postgres reference data and journal (section <c>Ledger</c>, see
/// Grains/Ledger/README.md), the asset table seeded from the configured assets, and the ledger
/// gRPC service.
/// </summary>
public static class LedgerHosting
{
    public const string Section = "Ledger";

    /// <summary>
    /// The schema is migrated and the assets seeded in the background (retried while Postgres is
    /// unreachable); until then the ledger's Postgres calls fail fast as <c>ledger_unavailable</c>
    /// and readiness reports the ledger as degraded. Wallets, transfers and orders need none of it.
    /// </summary>
    public static WebApplicationBuilder AddWalletLedger(this WebApplicationBuilder builder)
    {
        builder.Services.AddLedger(builder.Configuration.GetSection(Section));
        builder.Services.AddSingleton<ILedgerStartupTask, LedgerAssetSeeding>();
        builder.Services.AddSingleton<WalletReconciler>();
        return builder;
    }

    public static WebApplication MapWalletLedgerApi(this WebApplication app)
    {
        app.MapGrpcService<LedgerService>().RequireWalletCaller();
        return app;
    }
}
