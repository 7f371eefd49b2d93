using System.Collections.Concurrent;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Wire names of event types (the <c>ow-event-type</c> header) beyond what Orleans' type converter
/// resolves. The name written for a type is its Orleans <c>[Alias]</c>, or the name given to <see
/// cref="Write"/>; every name given to <see cref="Read"/> is also read as that type.
/// </summary>
/// <remarks>
/// Compatibility rule: a wire name, once written, is read by every later version. Renaming or moving a
/// type keeps its alias; changing the alias needs the old one added with <see cref="Read"/> first.
/// </remarks>
public sealed class KafkaEventTypeRegistry
{
    private readonly ConcurrentDictionary<string, Type> _read = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, string> _write = new();

    /// <summary>Reads messages whose type header is <paramref name="wireName"/> as <paramref name="type"/>.</summary>
    public KafkaEventTypeRegistry Read(string wireName, Type type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(wireName);
        ArgumentNullException.ThrowIfNull(type);
        if (!_read.TryAdd(wireName, type) && _read[wireName] != type)
        {
            throw new ArgumentException($"Wire name '{wireName}' is already read as {_read[wireName]}; it cannot also mean {type}.", nameof(wireName));
        }

        return this;
    }

    /// <summary>Writes <paramref name="type"/> with the type header <paramref name="wireName"/> (and reads that name as it).</summary>
    public KafkaEventTypeRegistry Write(Type type, string wireName)
    {
        Read(wireName, type);
        _write[type] = wireName;
        return this;
    }

    internal bool TryGetReadType(string wireName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) => _read.TryGetValue(wireName, out type);

    internal bool TryGetWriteName(Type type, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? wireName) => _write.TryGetValue(type, out wireName);

    internal IEnumerable<KeyValuePair<string, Type>> ReadNames => _read;
}
