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
/// Some Orleans instruments are left out for their cost (<see cref="OrleansInstrumentsLeftOut"/>).
/// </summary>
public static class MetricsHosting
{
    public const string Path = "/metrics";

    private static IDisposable? _meterAdapter;

    private static readonly string[] ExportedMeterPrefixes = ["OrleansWallet.", "OrleansWallet"];
    private const string OrleansMeter = "Microsoft.Orleans";
    private static readonly HashSet<string> ExportedMeters = new(StringComparer.Ordinal) { OrleansMeter, "System.Runtime" };

    /// <summary>
    /// Orleans instruments left out of <c>/metrics</c> for what they cost. Two gauges enumerate the
    /// directory cache or every activation at each reading, so a scrape would cost in proportion to
    /// the wallets the silo holds (the activation count, <c>orleans-catalog-activations</c>, stays:
    /// it is counted without a walk). The others are recorded for every message a silo sends,
    /// receives or addresses, each with tags the adapter sorts and looks up again: ~5 % of a silo's
    /// CPU on the read path (profiled). Message and call rates stay visible through the silo's own
    /// gRPC and grain-call metrics and Orleans' dispatcher counters.
    /// </summary>
    private static readonly IReadOnlySet<string> OrleansInstrumentsLeftOut = new HashSet<string>(StringComparer.Ordinal)
    {
        "orleans-directory-cache-size",
        "orleans-messaging-processing-activation-data",
        "orleans-messaging-sent-messages-size",
        "orleans-messaging-received-messages-size",
        "orleans-directory-lookups-local-issued",
        "orleans-directory-lookups-local-successes",
        "orleans-directory-lookups-cache-issued",
        "orleans-directory-lookups-cache-successes",
    };

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
            InstrumentFilterPredicate = IsExported,
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

    private static bool IsExported(Instrument instrument) =>
        IsExported(instrument.Meter.Name) && !(instrument.Meter.Name == OrleansMeter && OrleansInstrumentsLeftOut.Contains(instrument.Name));

    private static bool IsExported(string meterName) =>
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
