namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Writes and reads the Kafka message value of one stream event. Register one per provider with
/// <c>services.AddKeyedSingleton&lt;IKafkaStreamEventSerializer&gt;(providerName, ...)</c>;
/// without one, <see cref="JsonKafkaStreamEventSerializer"/> is used.
/// </summary>
public interface IKafkaStreamEventSerializer
{
    /// <summary>MIME type of the value, written to the <see cref="KafkaStreamHeaders.ContentType"/> header.</summary>
    string ContentType { get; }

    /// <summary>The message value for <paramref name="streamEvent"/>.</summary>
    byte[] Serialize(object streamEvent, Type eventType);

    /// <summary>The event read back from a value this serializer wrote.</summary>
    object Deserialize(ReadOnlySpan<byte> value, Type eventType);
}
