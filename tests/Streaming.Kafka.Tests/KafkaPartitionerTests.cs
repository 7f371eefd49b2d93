using System.Text;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

public sealed class KafkaPartitionerTests
{
    // Expected values from Apache Kafka's UtilsTest.testMurmur2 (clients/src/test/.../utils/UtilsTest.java).
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Murmur2_matches_the_java_client(string key, int expected)
    {
        Assert.Equal(expected, KafkaPartitioner.Murmur2(Encoding.UTF8.GetBytes(key)));
    }

    // Partition = (murmur2 & 0x7fffffff) % count, computed by hand from the hashes above.
    [Theory]
    [InlineData("21", 4, 0)]          // -973932308 & 0x7fffffff = 1173551340
    [InlineData("21", 24, 12)]
    [InlineData("foobar", 4, 2)]      // 1357151166
    [InlineData("foobar", 24, 6)]
    [InlineData("abc", 4, 3)]         // 479470107
    [InlineData("abc", 24, 3)]
    [InlineData("abc", 1, 0)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 7, 3)] // 2088585677
    public void Partition_is_the_positive_hash_modulo_the_partition_count(string key, int partitionCount, int expected)
    {
        Assert.Equal(expected, KafkaPartitioner.PartitionFor(Encoding.UTF8.GetBytes(key), partitionCount));
    }

    [Fact]
    public void Empty_key_hashes_the_seed_and_length_only()
    {
        // Not among Kafka's published vectors: computed with an independent Python port of Utils.murmur2
        // that reproduces all of the vectors above.
        Assert.Equal(275646681, KafkaPartitioner.Murmur2([]));
    }
}
