using System.Diagnostics;
using Prometheus;

namespace OrleansWallet.Silo.Observability;

/// <summary>
/// Counts and times every grain call this silo executes, by grain interface, method and outcome
/// (<c>orleanswallet_grain_calls_total</c>, <c>orleanswallet_grain_call_duration_seconds</c>).
/// Labels are type and method names only, a bounded set, never a grain key.
/// </summary>
internal sealed class GrainCallMetricsFilter : IIncomingGrainCallFilter
{
    public const string CallsName = "orleanswallet_grain_calls_total";
    public const string DurationName = "orleanswallet_grain_call_duration_seconds";

    private static readonly Counter Calls = Metrics.CreateCounter(CallsName,
        "Grain calls executed by this silo, by interface, method and outcome (ok, refused: a domain refusal, error)",
        new CounterConfiguration { LabelNames = ["interface", "method", "outcome"] });

    /// <summary>0.1 ms to 3.3 s in 16 doublings: reads answer in well under a millisecond, writes wait for Redis.</summary>
    private static readonly Histogram Duration = Metrics.CreateHistogram(DurationName,
        "Duration of grain calls executed by this silo, by interface and method",
        new HistogramConfiguration
        {
            LabelNames = ["interface", "method"],
            Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16),
        });

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            await context.Invoke();
            outcome = "ok";
        }
        catch (WalletException)
        {
            outcome = "refused";
            throw;
        }
        finally
        {
            var interfaceName = InterfaceName(context.InterfaceName);
            Calls.WithLabels(interfaceName, context.MethodName, outcome).Inc();
            Duration.WithLabels(interfaceName, context.MethodName).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>"OrleansWallet.Wallet.IWalletGrain" → "IWalletGrain": short, and still unique here.</summary>
    private static string InterfaceName(string fullName)
    {
        var generic = fullName.IndexOf('`');
        var name = generic < 0 ? fullName : fullName[..generic];
        var dot = name.LastIndexOf('.');
        return dot < 0 ? name : name[(dot + 1)..];
    }
}
