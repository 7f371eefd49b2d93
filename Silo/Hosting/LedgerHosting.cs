using OrleansWallet.Ledger.Hosting;
using OrleansWallet.Silo.Grpc;
using OrleansWallet.Silo.Ledger;
using OrleansWallet.Silo.Security;
using OrleansWallet.Wallet;

namespace OrleansWallet.Silo.Hosting;

/// <summary>
/// The ledger side of the silo: Postgres reference data and journal (section <c>Ledger</c>, see
/// Grains/Ledger/README.md), the asset table seeded from the configured assets, the wallets'
/// outbox metrics, and the ledger gRPC service.
/// </summary>
public static class LedgerHosting
{
    public const string Section = "Ledger";

    /// <summary>
    /// Call before AddWalletSilo: hosted services start in registration order, so the schema is
    /// migrated and the assets seeded before the silo activates any grain.
    /// </summary>
    public static WebApplicationBuilder AddWalletLedger(this WebApplicationBuilder builder)
    {
        builder.Services.AddLedger(builder.Configuration.GetSection(Section));
        builder.Services.AddHostedService<LedgerAssetSeeding>();
        builder.Services.AddSingleton<WalletLedgerMetrics>();
        builder.Services.AddSingleton<WalletReconciler>();
        return builder;
    }

    public static WebApplication MapWalletLedgerApi(this WebApplication app)
    {
        app.MapGrpcService<LedgerService>().RequireWalletCaller();
        return app;
    }
}
