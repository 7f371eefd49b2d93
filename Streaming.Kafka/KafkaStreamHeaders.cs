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

    /// <summary>Dead letters: why the message was dead-lettered (see <see cref="KafkaDeadLetterReasons"/>).</summary>
    public const string DeadLetterReason = "ow-dead-letter-reason";

    /// <summary>Dead letters: a human-readable detail (the decode error, the failing subscription).</summary>
    public const string DeadLetterDetail = "ow-dead-letter-detail";

    /// <summary>Dead letters: the topic the message was read from.</summary>
    public const string DeadLetterSourceTopic = "ow-dead-letter-source-topic";

    /// <summary>Dead letters: the partition the message was read from (decimal).</summary>
    public const string DeadLetterSourcePartition = "ow-dead-letter-source-partition";

    /// <summary>Dead letters: the offset the message was read at (decimal).</summary>
    public const string DeadLetterSourceOffset = "ow-dead-letter-source-offset";

    /// <summary>Dead letters: the consumer group of the provider that wrote it.</summary>
    public const string DeadLetterConsumerGroup = "ow-dead-letter-group";

    /// <summary>Dead letters of failed deliveries: the Orleans subscription id that kept failing.</summary>
    public const string DeadLetterSubscription = "ow-dead-letter-subscription";

    /// <summary>Dead letters: when it was written (ISO 8601, UTC).</summary>
    public const string DeadLetterTime = "ow-dead-letter-time";

    /// <summary>The envelope version written by this provider.</summary>
    public const string EnvelopeVersionCurrent = "1";
}

/// <summary>Values of the <see cref="KafkaStreamHeaders.DeadLetterReason"/> header.</summary>
public static class KafkaDeadLetterReasons
{
    /// <summary>No envelope-version header: not written by this provider or a producer following its format.</summary>
    public const string NoEnvelope = "no-envelope";

    /// <summary>An envelope version this provider does not read.</summary>
    public const string UnsupportedEnvelope = "unsupported-envelope";

    /// <summary>The event-type header is missing or names no known type.</summary>
    public const string UnknownType = "unknown-type";

    /// <summary>The value does not deserialize as the named type.</summary>
    public const string BadValue = "bad-value";

    /// <summary>A subscriber kept failing on the event until Orleans gave up delivering it.</summary>
    public const string DeliveryFailed = "delivery-failed";
}
