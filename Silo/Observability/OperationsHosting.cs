using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orleans.Dashboard;
using OrleansWallet.Silo.Hosting;

namespace OrleansWallet.Silo.Observability;

/// <summary>
/// The silo's operations surface in one place: health (open), metrics and the Orleans Dashboard
/// (operators only, see <see cref="OperatorAccess"/>), graceful shutdown.
/// </summary>
public static class OperationsHosting
{
    public const string DashboardPath = "/dashboard";

    public static WebApplicationBuilder AddWalletOperations(this WebApplicationBuilder builder)
    {
        var operations = builder.Configuration.GetSection(OperationsOptions.Section).Get<OperationsOptions>() ?? new OperationsOptions();
        DashboardCounters.Apply(operations);
        builder.AddOperatorAccess();
        builder.AddWalletMetrics();
        builder.AddWalletHealth();
        builder.AddGracefulShutdown();
        if (operations.Listener == OperatorListener.Internal)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(operations.InternalListenIp),
                operations.InternalPort, o => o.Protocols = HttpProtocols.Http1));
        }
        return builder;
    }

    public static WebApplication MapWalletOperations(this WebApplication app)
    {
        app.MapWalletHealth();
        app.MapWalletMetrics().RequireAuthorization(OperatorAccess.Policy);
        app.MapOrleansDashboard(routePrefix: DashboardPath).RequireAuthorization(OperatorAccess.Policy);

        var operations = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OperationsOptions>>().Value;
        var host = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SiloHostOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OperationsHosting).FullName!);
        var port = OperatorAccess.Port(operations, host.HttpPort);
        if (operations.RequiresCredentials && !operations.HasPassword)
            logger.LogWarning("Operations:Password is not set: {Metrics} and {Dashboard} on port {Port} refuse every request " +
                              "(set it, or Operations:Listener=Internal for a loopback-only port)", MetricsHosting.Path, DashboardPath, port);
        else
            logger.LogInformation("Operator surfaces {Metrics} and {Dashboard} on port {Port} ({Access}; dashboard counters {Counters})",
                MetricsHosting.Path, DashboardPath, port, operations.RequiresCredentials ? "basic credentials" : "no credentials, internal listener",
                operations.DashboardCounters ? "on" : "off, see Operations:DashboardCounters");
        return app;
    }
}
