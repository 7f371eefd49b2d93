using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace OrleansWallet.Streaming.Kafka.Benchmark;

/// <summary>librdkafka's in-process mock cluster, alive while the hosting producer is.</summary>
internal sealed partial class MockKafkaCluster : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly IProducer<byte[], byte[]> _host;

    private MockKafkaCluster(IProducer<byte[], byte[]> host, string bootstrapServers)
    {
        _host = host;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    public static async Task<MockKafkaCluster> StartAsync()
    {
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var config = new ProducerConfig { BootstrapServers = "mock:1", Debug = "mock" };
        config.Set("test.mock.num.brokers", "3");
        var host = new ProducerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, message) =>
            {
                var match = BootstrapLine().Match(message.Message);
                if (match.Success)
                {
                    address.TrySetResult(match.Groups[1].Value);
                }
            })
            .Build();
        return new MockKafkaCluster(host, await address.Task.WaitAsync(StartTimeout));
    }

    /// <summary>The mock creates a topic (4 partitions) on first produce.</summary>
    public async Task CreateTopicAsync(string topic)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = BootstrapServers }).Build();
        await producer.ProduceAsync(topic, new Message<byte[], byte[]> { Key = "warm-up"u8.ToArray(), Value = "{}"u8.ToArray() });
    }

    public void Dispose() => _host.Dispose();

    [GeneratedRegex(@"bootstrap\.servers=([0-9.:,]+)")]
    private static partial Regex BootstrapLine();
}
