using Orleans;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka.Tests;

public interface IRecordingSubscriberGrain : IGrainWithStringKey
{
}

/// <summary>Implicitly subscribed to its user's stream; records every event it is given.</summary>
[ImplicitStreamSubscription(TestStreams.Namespace)]
public sealed class RecordingSubscriberGrain : Grain, IRecordingSubscriberGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = this.GetStreamProvider(TestStreams.ProviderName)
            .GetStream<WalletTestEvent>(StreamId.Create(TestStreams.Namespace, this.GetPrimaryKeyString()));
        await stream.SubscribeAsync((streamEvent, _) =>
        {
            ReceivedEvents.Record(streamEvent);
            return Task.CompletedTask;
        });
    }
}
