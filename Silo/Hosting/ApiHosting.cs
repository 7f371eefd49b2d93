using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OrleansWallet.Silo.Grpc;
using OrleansWallet.Silo.Security;

namespace OrleansWallet.Silo.Hosting;

/// <summary>
/// The ASP.NET Core side of the silo: the gRPC API on its own HTTP/2 port (h2c: plain-text
/// HTTP/2 needs a port that speaks nothing else), and an HTTP/1.1 port for operators (health,
/// metrics, dashboard: Observability/OperationsHosting.cs).
/// </summary>
public static class ApiHosting
{
    public static WebApplicationBuilder AddWalletApi(this WebApplicationBuilder builder)
    {
        var host = builder.Configuration.GetSection(SiloHostOptions.Section).Get<SiloHostOptions>() ?? new SiloHostOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var listen = IPAddress.Parse(host.ListenIp);
            kestrel.Listen(listen, host.GrpcPort, o => o.Protocols = HttpProtocols.Http2);
            kestrel.Listen(listen, host.HttpPort, o => o.Protocols = HttpProtocols.Http1);
        });

        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<ErrorMappingInterceptor>();
            // Every request message is small; 1 MiB bounds what a bad client can make us buffer.
            o.MaxReceiveMessageSize = 1024 * 1024;
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<OrderEventWatch>();
        return builder;
    }

    public static WebApplication MapWalletApi(this WebApplication app)
    {
        app.UseWalletSecurity();
        app.MapGrpcService<WalletsService>().RequireWalletCaller();
        app.MapGrpcService<OrdersService>().RequireWalletCaller();
        app.MapGrpcReflectionService().RequireAnonymousRateLimit();
        return app;
    }
}
