using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OrleansWallet.Ledger.Metrics;

namespace OrleansWallet.Ledger.Tests;

/// <summary>
/// Listens to the ledger's meter of one service provider only (tests run in parallel, each with
/// its own meter): counts measurements per (instrument, dependency) and keeps gauges' last value.
/// </summary>
public sealed class MetricsProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string Dependency), long> _counts = new();
    private readonly ConcurrentDictionary<(string Instrument, string Dependency), int> _gauges = new();

    public MetricsProbe(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == LedgerMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
            _counts.AddOrUpdate((instrument.Name, Dependency(tags)), 1, (_, n) => n + 1));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            _counts.AddOrUpdate((instrument.Name, Dependency(tags)), value, (_, n) => n + value));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
            _gauges[(instrument.Name, Dependency(tags))] = value);
        _listener.Start();
    }

    /// <summary>Histogram measurements or counter total for the dependency.</summary>
    public long Count(string instrument, string dependency) => _counts.GetValueOrDefault((instrument, dependency));

    /// <summary>The gauge's value now (observes it).</summary>
    public int? Gauge(string instrument, string dependency)
    {
        _listener.RecordObservableInstruments();
        return _gauges.TryGetValue((instrument, dependency), out var value) ? value : null;
    }

    private static string Dependency(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
            if (tag.Key == "dependency") return (string?)tag.Value ?? "";
        return "";
    }

    public void Dispose() => _listener.Dispose();
}
