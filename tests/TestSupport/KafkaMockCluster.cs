using System.Text.RegularExpressions;

namespace OrleansWallet.TestSupport;

/// <summary>
/// A Kafka-protocol broker for tests: librdkafka's mock cluster (3 brokers), hosted by a kcat
/// process as DESIGN.md describes. Any Kafka client connects to <see cref="BootstrapServers"/>.
/// It keeps about 100k messages per partition: tests consume while they produce.
/// </summary>
public sealed partial class KafkaMockCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly ExternalProcess _process;

    private KafkaMockCluster(ExternalProcess process, string bootstrapServers)
    {
        _process = process;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    /// <summary>
    /// Starts the mock and creates <paramref name="topic"/> (4 partitions: the mock's default; it
    /// cannot create topics on request) by producing one plain message to it. Consumers that
    /// expect an envelope skip that message.
    /// </summary>
    public static async Task<KafkaMockCluster> StartAsync(string topic, int brokers = 3)
    {
        // kcat produces from stdin: holding its stdin open keeps the mock alive until we stop it.
        var kcat = ServiceBinaries.Find("kcat");
        var process = ExternalProcess.Start(kcat,
            ["-b", "mock:1", "-X", $"test.mock.num.brokers={brokers}", "-d", "mock", "-P", "-t", topic],
            holdStandardInput: true);
        try
        {
            var bootstrap = await WaitForBootstrapAsync(process);
            await process.WriteLineAsync("topic warm-up");
            await WaitForTopicAsync(kcat, bootstrap, topic);
            return new KafkaMockCluster(process, bootstrap);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private static async Task<string> WaitForBootstrapAsync(ExternalProcess process)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var match = BootstrapLine().Match(process.Output);
            if (match.Success) return match.Groups[1].Value;
            if (process.HasExited) throw new InvalidOperationException($"kcat mock cluster exited:\n{process.Output}");
            await Task.Delay(50);
        }
        throw new TimeoutException($"kcat mock cluster printed no bootstrap.servers:\n{process.Output}");
    }

    private static async Task WaitForTopicAsync(string kcat, string bootstrap, string topic)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            await using var metadata = ExternalProcess.Start(kcat, ["-b", bootstrap, "-L", "-t", topic, "-m", "5"]);
            await metadata.WaitForExitAsync(TimeSpan.FromSeconds(10));
            if (metadata.Output.Contains("partition 0,", StringComparison.Ordinal)) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"topic {topic} did not appear on the mock cluster at {bootstrap}");
    }

    [GeneratedRegex(@"bootstrap\.servers=([0-9.:,]+)")]
    private static partial Regex BootstrapLine();

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}
