using System.Text;
using Confluent.Kafka;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Serialization.TypeSystem;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Maps a stream event to a Kafka message and back: key = stream key bytes (the user id as UTF-8),
/// value = the serializer's output, Orleans metadata in <see cref="KafkaStreamHeaders"/>.
/// </summary>
internal sealed class KafkaMessageCodec(IKafkaStreamEventSerializer serializer, TypeConverter typeConverter)
{
    private static readonly byte[] EnvelopeVersionBytes = Encoding.UTF8.GetBytes(KafkaStreamHeaders.EnvelopeVersionCurrent);
    private readonly byte[] _contentTypeBytes = Encoding.UTF8.GetBytes(serializer.ContentType);

    public Message<byte[], byte[]> Encode(StreamId streamId, object streamEvent, DateTimeOffset timestamp)
    {
        var eventType = streamEvent.GetType();
        var headers = new Headers
        {
            { KafkaStreamHeaders.EnvelopeVersion, EnvelopeVersionBytes },
            { KafkaStreamHeaders.EventType, Encoding.UTF8.GetBytes(typeConverter.Format(eventType)) },
            { KafkaStreamHeaders.ContentType, _contentTypeBytes },
        };
        if (!streamId.Namespace.IsEmpty)
        {
            headers.Add(KafkaStreamHeaders.StreamNamespace, streamId.Namespace.ToArray());
        }

        return new Message<byte[], byte[]>
        {
            Key = streamId.Key.ToArray(),
            Value = serializer.Serialize(streamEvent, eventType),
            Headers = headers,
            Timestamp = new Timestamp(timestamp),
        };
    }

    /// <summary>
    /// The stream event in <paramref name="result"/>, or a reason it cannot be one (a message written
    /// by someone else, or by a newer envelope version).
    /// </summary>
    public bool TryDecode(ConsumeResult<byte[], byte[]> result, out KafkaBatchContainer? container, out string? rejection)
    {
        container = null;
        var headers = result.Message.Headers;
        if (headers is null || !headers.TryGetLastBytes(KafkaStreamHeaders.EnvelopeVersion, out var versionBytes))
        {
            rejection = $"no '{KafkaStreamHeaders.EnvelopeVersion}' header (not written by this provider)";
            return false;
        }

        if (!versionBytes.AsSpan().SequenceEqual(EnvelopeVersionBytes))
        {
            rejection = $"envelope version '{Encoding.UTF8.GetString(versionBytes)}' is not supported (this provider reads {KafkaStreamHeaders.EnvelopeVersionCurrent})";
            return false;
        }

        if (!headers.TryGetLastBytes(KafkaStreamHeaders.EventType, out var typeBytes))
        {
            rejection = $"no '{KafkaStreamHeaders.EventType}' header";
            return false;
        }

        var typeName = Encoding.UTF8.GetString(typeBytes);
        if (!typeConverter.TryParse(typeName, out var eventType))
        {
            rejection = $"event type '{typeName}' is unknown here";
            return false;
        }

        var streamNamespace = headers.TryGetLastBytes(KafkaStreamHeaders.StreamNamespace, out var namespaceBytes) ? namespaceBytes : [];
        var streamId = StreamId.Create(streamNamespace, result.Message.Key ?? []);
        object streamEvent;
        try
        {
            streamEvent = serializer.Deserialize(result.Message.Value ?? [], eventType);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            rejection = $"the value does not deserialize as {typeName}: {exception.Message}";
            return false;
        }

        container = new KafkaBatchContainer(streamId, streamEvent, new EventSequenceTokenV2(result.Offset.Value));
        rejection = null;
        return true;
    }
}
