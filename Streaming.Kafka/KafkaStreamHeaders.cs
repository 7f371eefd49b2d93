namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Names of the Kafka headers the provider writes on every message (envelope version 1). Values
/// are UTF-8 strings. A consumer that does not use Orleans needs none of them: the key is the
/// stream key (user id) and the value is the event as JSON.
/// </summary>
public static class KafkaStreamHeaders
{
    /// <summary>Envelope format version; this provider writes and reads <see cref="EnvelopeVersionCurrent"/>.</summary>
    public const string EnvelopeVersion = "ow-envelope-version";

    /// <summary>The Orleans stream namespace; absent when the stream has none.</summary>
    public const string StreamNamespace = "ow-stream-namespace";

    /// <summary>The event's type as Orleans names it (<c>TypeConverter.Format</c>), used to read the value back.</summary>
    public const string EventType = "ow-event-type";

    /// <summary>MIME type of the value, e.g. <c>application/json</c>.</summary>
    public const string ContentType = "content-type";

    /// <summary>The envelope version written by this provider.</summary>
    public const string EnvelopeVersionCurrent = "1";
}
