using System.Diagnostics.Metrics;
using Grpc.AspNetCore.Server;
using Prometheus;

namespace OrleansWallet.Silo.Observability;

/// <summary>
/// Prometheus metrics on <c>/metrics</c> (prometheus-net): the silo's own gRPC and grain-call
/// instruments, every System.Diagnostics.Metrics meter of ours (<c>OrleansWallet.*</c>: ledger,
/// wallets, Kafka provider, and any added later), Orleans' <c>Microsoft.Orleans</c> meter (grain
/// storage read/write latency, messaging, activations), .NET's <c>System.Runtime</c> meter and the
/// process metrics. Other libraries' meters are left out: their labels are not ours to bound.
/// </summary>
public static class MetricsHosting
{
    public const string Path = "/metrics";

    private static IDisposable? _meterAdapter;

    private static readonly string[] ExportedMeterPrefixes = ["OrleansWallet.", "OrleansWallet"];
    private static readonly HashSet<string> ExportedMeters = new(StringComparer.Ordinal) { "Microsoft.Orleans", "System.Runtime" };

    public static WebApplicationBuilder AddWalletMetrics(this WebApplicationBuilder builder)
    {
        // System.Runtime's meter carries the runtime metrics; the older event counters would repeat
        // them. prometheus-net's own meter adapter would start only at the first scrape and miss
        // everything measured before it: ours starts with the process.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions
        {
            SuppressEventCounters = true,
            SuppressMeters = true,
            SuppressDebugMetrics = true,
        });
        // One per process, listening until it exits.
        _meterAdapter ??= MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = instrument => IsExported(instrument.Meter.Name),
            ResolveHistogramBuckets = Buckets,
        });

        // First in the chain (outermost), whatever other interceptors are added before or after.
        builder.Services.Configure<GrpcServiceOptions>(options =>
        {
            options.Interceptors.Add<GrpcMetricsInterceptor>();
            var registration = options.Interceptors[^1];
            options.Interceptors.RemoveAt(options.Interceptors.Count - 1);
            options.Interceptors.Insert(0, registration);
        });
        builder.Services.AddSingleton<GrpcMetricsInterceptor>();
        builder.Services.AddSingleton<IIncomingGrainCallFilter, GrainCallMetricsFilter>();
        return builder;
    }

    public static IEndpointConventionBuilder MapWalletMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapMetrics(Path);

    internal static bool IsExported(string meterName) =>
        ExportedMeters.Contains(meterName) || ExportedMeterPrefixes.Any(p => meterName.StartsWith(p, StringComparison.Ordinal));

    /// <summary>
    /// Buckets by the instrument's unit: milliseconds from 0.125 ms (a Redis round trip here) to
    /// 4 s in 16 doublings; seconds from 1 ms to 16 s in 15; otherwise prometheus-net's defaults.
    /// </summary>
    private static double[] Buckets(Instrument instrument) => instrument.Unit switch
    {
        "ms" => Histogram.ExponentialBuckets(0.125, 2, 16),
        "s" => Histogram.ExponentialBuckets(0.001, 2, 15),
        _ => Histogram.ExponentialBuckets(1, 2, 16),
    };
}
