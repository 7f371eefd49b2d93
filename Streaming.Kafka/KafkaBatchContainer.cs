using Confluent.Kafka;
using Orleans;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>One Kafka message: one stream event, its token made from the message offset.</summary>
[GenerateSerializer]
internal sealed class KafkaBatchContainer(StreamId streamId, object streamEvent, EventSequenceTokenV2 sequenceToken) : IBatchContainer
{
    [Id(0)]
    public StreamId StreamId { get; } = streamId;

    [Id(1)]
    public object Event { get; } = streamEvent;

    [Id(2)]
    public EventSequenceTokenV2 Token { get; } = sequenceToken;

    /// <summary>
    /// The message as read (key, value and headers as the producer wrote them), kept while the event is
    /// in the receiving silo's cache so a delivery that keeps failing can be dead-lettered byte for byte.
    /// Not serialized: a container shipped to another silo does not carry it.
    /// </summary>
    [NonSerialized]
    public Message<byte[], byte[]>? Raw;

    /// <summary>The Kafka offset of the message this event came from.</summary>
    public long Offset => Token.SequenceNumber;

    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() =>
        Event is T typed ? [Tuple.Create<T, StreamSequenceToken>(typed, Token)] : [];

    // Request context is not carried: Kafka consumers outside Orleans could not use it.
    public bool ImportRequestContext() => false;
}
