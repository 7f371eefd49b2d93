using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Called by the pulling agent when it gives up delivering an event to a subscription (after retrying
/// for <c>StreamPullingAgentOptions.MaxEventDeliveryTime</c>). The agent awaits it before its cursor
/// moves on, so the event is in the dead-letter topic before any offset past it can be committed.
/// Subscriptions are not faulted: the next events of the stream are still delivered to them.
/// </summary>
internal sealed partial class KafkaDeliveryFailureHandler(Func<KafkaQueueAdapter?> adapter, int partition, int deliveryBatchSize, ILogger logger) : IStreamFailureHandler
{
    public bool ShouldFaultSubsriptionOnError => false;

    public Task OnDeliveryFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        var receiver = adapter()?.ReceiverOf(partition);
        if (receiver is null)
        {
            LogNoReceiver(logger, streamProviderName, partition, subscriptionId.Guid);
            return Task.CompletedTask;
        }

        return receiver.OnDeliveryFailedAsync(subscriptionId.Guid, streamIdentity, sequenceToken, deliveryBatchSize);
    }

    public Task OnSubscriptionFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        LogSubscriptionFailure(logger, streamProviderName, subscriptionId.Guid, streamIdentity.ToString());
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka stream provider '{Provider}': a delivery on partition {Partition} to subscription {Subscription} failed after this silo released the partition; its next owner delivers it again.")]
    private static partial void LogNoReceiver(ILogger logger, string provider, int partition, Guid subscription);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka stream provider '{Provider}': subscription {Subscription} on stream {Stream} failed to start.")]
    private static partial void LogSubscriptionFailure(ILogger logger, string provider, Guid subscription, string stream);
}
