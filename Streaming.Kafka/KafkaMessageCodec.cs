using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using Confluent.Kafka;
using Orleans;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Serialization.TypeSystem;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Maps a stream event to a Kafka message and back: key = stream key bytes (the user id as UTF-8),
/// value = the serializer's output, Orleans metadata in <see cref="KafkaStreamHeaders"/>.
/// </summary>
internal sealed class KafkaMessageCodec(IKafkaStreamEventSerializer serializer, TypeConverter typeConverter, KafkaEventTypeRegistry? registry = null, bool requireStableTypeNames = false)
{
    private static readonly byte[] EnvelopeVersionBytes = Encoding.UTF8.GetBytes(KafkaStreamHeaders.EnvelopeVersionCurrent);
    private readonly byte[] _contentTypeBytes = Encoding.UTF8.GetBytes(serializer.ContentType);
    private readonly KafkaEventTypeRegistry _registry = registry ?? new KafkaEventTypeRegistry();

    /// <summary>
    /// Formatting and parsing Orleans type names is costly and a topic carries few event types; the
    /// bound keeps a topic full of odd type names from growing the cache without limit.
    /// </summary>
    private const int TypeCacheEntriesMax = 1024;

    private readonly ConcurrentDictionary<Type, EventTypeHeaders> _headersByType = new();
    private readonly ConcurrentDictionary<string, Type> _types = new(StringComparer.Ordinal);

    /// <summary>
    /// The headers of a type's messages for the namespace last seen with it. librdkafka copies header
    /// values when a message is produced and nothing changes them afterwards, so one instance serves
    /// every message of that type and namespace: no header objects are allocated per event.
    /// </summary>
    private sealed class EventTypeHeaders(byte[] typeName)
    {
        public byte[] TypeName { get; } = typeName;

        public volatile Tuple<byte[], Headers>? Last;
    }

    public string WireTypeName(Type eventType) => Encoding.UTF8.GetString(HeadersFor(eventType).TypeName);

    public Message<byte[], byte[]> Encode(StreamId streamId, object streamEvent, DateTimeOffset timestamp)
    {
        var eventType = streamEvent.GetType();
        return new Message<byte[], byte[]>
        {
            Key = streamId.Key.ToArray(),
            Value = serializer.Serialize(streamEvent, eventType),
            Headers = Headers(HeadersFor(eventType), streamId.Namespace.Span),
            Timestamp = new Timestamp(timestamp),
        };
    }

    private EventTypeHeaders HeadersFor(Type eventType) =>
        _headersByType.GetOrAdd(eventType, static (type, codec) => new EventTypeHeaders(Encoding.UTF8.GetBytes(codec.WriteName(type))), this);

    private string WriteName(Type eventType)
    {
        if (_registry.TryGetWriteName(eventType, out var name))
        {
            return name;
        }

        if (requireStableTypeNames && !eventType.IsDefined(typeof(AliasAttribute), inherit: false))
        {
            throw new ArgumentException(
                $"Event type {eventType} has no Orleans [Alias]: its wire name would be its .NET name, which a rename or move makes unreadable. " +
                $"Add [Alias(\"...\")], map it with {nameof(KafkaStreamOptions)}.{nameof(KafkaStreamOptions.EventTypes)}.{nameof(KafkaEventTypeRegistry.Write)}, " +
                $"or set {nameof(KafkaStreamOptions)}.{nameof(KafkaStreamOptions.RequireStableTypeNames)} = false.");
        }

        return typeConverter.Format(eventType);
    }

    private Headers Headers(EventTypeHeaders typeHeaders, ReadOnlySpan<byte> streamNamespace)
    {
        var last = typeHeaders.Last;
        if (last is not null && last.Item1.AsSpan().SequenceEqual(streamNamespace))
        {
            return last.Item2;
        }

        var namespaceBytes = streamNamespace.ToArray();
        var headers = new Headers
        {
            { KafkaStreamHeaders.EnvelopeVersion, EnvelopeVersionBytes },
            { KafkaStreamHeaders.EventType, typeHeaders.TypeName },
            { KafkaStreamHeaders.ContentType, _contentTypeBytes },
        };
        if (namespaceBytes.Length > 0)
        {
            headers.Add(KafkaStreamHeaders.StreamNamespace, namespaceBytes);
        }

        typeHeaders.Last = Tuple.Create(namespaceBytes, headers);
        return headers;
    }

    /// <summary>
    /// The stream event in <paramref name="result"/>, or why it cannot be one: a reason code (<see
    /// cref="KafkaDeadLetterReasons"/>) and a detail.
    /// </summary>
    public bool TryDecode(ConsumeResult<byte[], byte[]> result, out KafkaBatchContainer? container, out string reason, out string detail)
    {
        container = null;
        var headers = result.Message.Headers;
        if (headers is null || !headers.TryGetLastBytes(KafkaStreamHeaders.EnvelopeVersion, out var versionBytes))
        {
            (reason, detail) = (KafkaDeadLetterReasons.NoEnvelope, $"no '{KafkaStreamHeaders.EnvelopeVersion}' header (not written by this provider's format)");
            return false;
        }

        if (!versionBytes.AsSpan().SequenceEqual(EnvelopeVersionBytes))
        {
            (reason, detail) = (KafkaDeadLetterReasons.UnsupportedEnvelope,
                $"envelope version '{Encoding.UTF8.GetString(versionBytes ?? [])}' is not supported (this provider reads {KafkaStreamHeaders.EnvelopeVersionCurrent})");
            return false;
        }

        if (!headers.TryGetLastBytes(KafkaStreamHeaders.EventType, out var typeBytes) || typeBytes is null)
        {
            (reason, detail) = (KafkaDeadLetterReasons.UnknownType, $"no '{KafkaStreamHeaders.EventType}' header");
            return false;
        }

        var typeName = Encoding.UTF8.GetString(typeBytes);
        if (!TryResolveType(typeName, out var eventType))
        {
            (reason, detail) = (KafkaDeadLetterReasons.UnknownType, $"event type '{typeName}' is unknown here");
            return false;
        }

        var streamNamespace = headers.TryGetLastBytes(KafkaStreamHeaders.StreamNamespace, out var namespaceBytes) ? namespaceBytes ?? [] : [];
        var streamId = StreamId.Create(streamNamespace, result.Message.Key ?? []);
        object streamEvent;
        try
        {
            streamEvent = serializer.Deserialize(result.Message.Value ?? [], eventType);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            (reason, detail) = (KafkaDeadLetterReasons.BadValue, $"the value does not deserialize as {typeName}: {exception.Message}");
            return false;
        }

        container = new KafkaBatchContainer(streamId, streamEvent, new EventSequenceTokenV2(result.Offset.Value)) { Raw = result.Message };
        (reason, detail) = ("", "");
        return true;
    }

    private bool TryResolveType(string typeName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? eventType)
    {
        if (_types.TryGetValue(typeName, out eventType))
        {
            return true;
        }

        if (!_registry.TryGetReadType(typeName, out eventType) && !TryParse(typeName, out eventType))
        {
            return false;
        }

        if (_types.Count < TypeCacheEntriesMax)
        {
            _types.TryAdd(typeName, eventType);
        }

        return true;
    }

    private bool TryParse(string typeName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? eventType)
    {
        try
        {
            return typeConverter.TryParse(typeName, out eventType);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A malformed name from another producer is an unknown type, not a crash of the read loop.
            eventType = null;
            return false;
        }
    }
}
