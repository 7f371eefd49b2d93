using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// The default value format: the event object as UTF-8 JSON (System.Text.Json, web defaults:
/// camelCase property names, case-insensitive on read), so any consumer can read it without Orleans.
/// </summary>
public sealed class JsonKafkaStreamEventSerializer : IKafkaStreamEventSerializer
{
    /// <summary>The serializer with the default JSON settings.</summary>
    public static JsonKafkaStreamEventSerializer Default { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>
    /// Web defaults with source-generated contracts first (no reflection for the types they cover),
    /// reflection for any other type. Source generation with the same defaults writes the same bytes.
    /// </summary>
    public static JsonKafkaStreamEventSerializer WithContracts(params IJsonTypeInfoResolver[] sourceGenerated) =>
        new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine([.. sourceGenerated, new DefaultJsonTypeInfoResolver()]),
        });

    private readonly JsonSerializerOptions _jsonOptions;

    /// <summary>A serializer with custom JSON settings (converters, naming).</summary>
    public JsonKafkaStreamEventSerializer(JsonSerializerOptions jsonOptions) => _jsonOptions = jsonOptions;

    /// <inheritdoc />
    public string ContentType => "application/json";

    /// <inheritdoc />
    public byte[] Serialize(object streamEvent, Type eventType) => JsonSerializer.SerializeToUtf8Bytes(streamEvent, eventType, _jsonOptions);

    /// <inheritdoc />
    public object Deserialize(ReadOnlySpan<byte> value, Type eventType) =>
        JsonSerializer.Deserialize(value, eventType, _jsonOptions)
        ?? throw new JsonException($"The value is JSON null; a stream event of type {eventType} was expected.");
}
