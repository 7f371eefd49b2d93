using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// librdkafka's in-process mock cluster (3 brokers). The hosting producer keeps it alive until
/// disposed; every other client reaches it at <see cref="BootstrapServers"/>.
/// </summary>
public sealed partial class KafkaMockBroker : IAsyncDisposable
{
    /// <summary>The mock logs its address while the hosting client starts; a generous bound for a noisy 2-core machine.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Partitions of every topic the mock creates on first use; CreateTopics is not supported by it.</summary>
    public const int PartitionCount = 4;

    private readonly IProducer<byte[], byte[]> _host;

    private KafkaMockBroker(IProducer<byte[], byte[]> host, string bootstrapServers)
    {
        _host = host;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    public static async Task<KafkaMockBroker> StartAsync()
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
        try
        {
            return new KafkaMockBroker(host, await address.Task.WaitAsync(StartTimeout));
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes the mock create <paramref name="topic"/> (with <see cref="PartitionCount"/> partitions) by
    /// producing one message without provider headers, which receivers must skip.
    /// </summary>
    public async Task CreateTopicAsync(string topic)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = BootstrapServers }).Build();
        await producer.ProduceAsync(topic, new Message<byte[], byte[]> { Key = "warm-up"u8.ToArray(), Value = "{}"u8.ToArray() });
    }

    public ValueTask DisposeAsync()
    {
        _host.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"bootstrap\.servers=([0-9.:,]+)")]
    private static partial Regex BootstrapLine();
}
