using System.Diagnostics;
using Orleans;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka.Benchmark;

public interface ILatencySubscriberGrain : IGrainWithStringKey
{
}

/// <summary>Implicit subscriber that records publish-to-delivery latency of every event.</summary>
[ImplicitStreamSubscription(BenchmarkStreams.Namespace)]
public sealed class LatencySubscriberGrain : Grain, ILatencySubscriberGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = this.GetStreamProvider(BenchmarkStreams.ProviderName)
            .GetStream<BenchmarkEvent>(StreamId.Create(BenchmarkStreams.Namespace, this.GetPrimaryKeyString()));
        await stream.SubscribeAsync((streamEvent, _) =>
        {
            LatencyLog.Record(Stopwatch.GetElapsedTime(streamEvent.PublishedTimestamp));
            return Task.CompletedTask;
        });
    }
}

public static class BenchmarkStreams
{
    public const string ProviderName = "kafka";
    public const string PublishOnlyProviderName = "kafka-publish-only";
    public const string Namespace = "benchmark-events";
}
