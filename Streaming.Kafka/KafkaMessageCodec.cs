using System.Collections.Concurrent;
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

    /// <summary>
    /// Formatting and parsing Orleans type names is costly and a topic carries few event types; the
    /// bound keeps a topic full of odd type names from growing the cache without limit.
    /// </summary>
    private const int TypeCacheEntriesMax = 1024;

    private readonly ConcurrentDictionary<Type, byte[]> _typeNames = new();
    private readonly ConcurrentDictionary<string, Type> _types = new(StringComparer.Ordinal);

    public Message<byte[], byte[]> Encode(StreamId streamId, object streamEvent, DateTimeOffset timestamp)
    {
        var eventType = streamEvent.GetType();
        var headers = new Headers
        {
            { KafkaStreamHeaders.EnvelopeVersion, EnvelopeVersionBytes },
            { KafkaStreamHeaders.EventType, _typeNames.GetOrAdd(eventType, static (type, converter) => Encoding.UTF8.GetBytes(converter.Format(type)), typeConverter) },
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
        if (!TryResolveType(typeName, out var eventType))
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

    private bool TryResolveType(string typeName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? eventType)
    {
        if (_types.TryGetValue(typeName, out eventType))
        {
            return true;
        }

        if (!typeConverter.TryParse(typeName, out eventType))
        {
            return false;
        }

        if (_types.Count < TypeCacheEntriesMax)
        {
            _types.TryAdd(typeName, eventType);
        }

        return true;
    }
}
