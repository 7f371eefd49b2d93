namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// Chooses a Kafka partition for a message key exactly as the Java client's default partitioner
/// does for keyed messages: <c>toPositive(murmur2(keyBytes)) % numPartitions</c>.
/// </summary>
/// <remarks>
/// librdkafka's own default (consistent_random, CRC32) would put the same key on a different
/// partition than a Java producer; per-user order across producers in both languages needs the
/// same function everywhere.
/// </remarks>
public static class KafkaPartitioner
{
    private const uint Seed = 0x9747b28c;
    private const uint Multiplier = 0x5bd1e995;
    private const int Shift = 24;

    /// <summary>Kafka's 32-bit murmur2 (<c>org.apache.kafka.common.utils.Utils.murmur2</c>).</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        var length = data.Length;
        var h = Seed ^ (uint)length;
        var blockCount = length / 4;
        for (var i = 0; i < blockCount; i++)
        {
            var offset = i * 4;
            var k = data[offset] | (uint)data[offset + 1] << 8 | (uint)data[offset + 2] << 16 | (uint)data[offset + 3] << 24;
            k *= Multiplier;
            k ^= k >> Shift;
            k *= Multiplier;
            h *= Multiplier;
            h ^= k;
        }

        var tail = length & ~3;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= Multiplier;
                break;
        }

        h ^= h >> 13;
        h *= Multiplier;
        h ^= h >> 15;
        return unchecked((int)h);
    }

    /// <summary>The partition the Java client's default partitioner picks for <paramref name="key"/>.</summary>
    public static int PartitionFor(ReadOnlySpan<byte> key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        // Java's Utils.toPositive: masking, not Math.abs, so int.MinValue maps to 0 rather than staying negative.
        return (Murmur2(key) & 0x7fffffff) % partitionCount;
    }
}
