using OrleansWallet.Silo.Security;
using System.Text.Json;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrleansWallet.Silo.Observability;

/// <summary>
/// Health for probes and load balancers, open to anyone who reaches the HTTP port:
/// <list type="bullet">
/// <item><c>/health/live</c>: the process answers. Depends on nothing else, so a dependency
/// outage never gets pods restarted.</item>
/// <item><c>/health/ready</c>: 503 (not ready) when this silo is not an active cluster member
/// (joining, stopping) or the grain-state Redis is unreachable: it cannot serve money operations.
/// 200 and <c>"status": "Degraded"</c> when Postgres (schema not migrated, breaker open) or Kafka
/// is unavailable: money operations still work, so the pod stays in service. The JSON body lists
/// every check.</item>
/// <item>gRPC <c>grpc.health.v1.Health</c>: service "" as readiness; each API service by what it
/// needs (wallet and order services: membership and Redis; the ledger service: those and Postgres).</item>
/// </list>
/// </summary>
public static class HealthHosting
{
    private const string Ready = "ready";
    private const string Core = "core";
    private const string LedgerService = "ledger-service";

    public static WebApplicationBuilder AddWalletHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RedisHealthCheck>();
        builder.Services.AddSingleton<KafkaHealthCheck>();
        builder.Services.AddHealthChecks()
            .AddCheck<SiloMembershipHealthCheck>("silo", HealthStatus.Unhealthy, [Ready, Core])
            .AddCheck<RedisHealthCheck>("redis", HealthStatus.Unhealthy, [Ready, Core])
            .AddCheck<LedgerHealthCheck>("postgres", HealthStatus.Degraded, [Ready])
            .AddCheck<KafkaHealthCheck>("kafka", HealthStatus.Degraded, [Ready])
            .AddCheck<LedgerHealthCheck>("ledger", HealthStatus.Unhealthy, [LedgerService]);
        builder.Services.AddGrpcHealthChecks(options =>
        {
            options.Services.Clear();
            options.Services.Map("", r => r.Tags.Contains(Ready));
            options.Services.Map("orleanswallet.v1.WalletService", r => r.Tags.Contains(Core));
            options.Services.Map("orleanswallet.v1.OrderService", r => r.Tags.Contains(Core));
            options.Services.Map("orleanswallet.ledger.v1.LedgerService", r => r.Tags.Contains(Core) || r.Tags.Contains(LedgerService));
        });
        return builder;
    }

    public static WebApplication MapWalletHealth(this WebApplication app)
    {
        app.MapGrpcHealthChecksService().AllowAnonymous().RequireAnonymousRateLimit();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(Ready),
            ResponseWriter = WriteReportAsync,
        }).AllowAnonymous();
        return app;
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    /// <summary>{"status": "Degraded", "degraded": ["postgres"], "unhealthy": [], "checks": {...}}</summary>
    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            degraded = report.Entries.Where(e => e.Value.Status == HealthStatus.Degraded).Select(e => e.Key).ToList(),
            unhealthy = report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy).Select(e => e.Key).ToList(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}
