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

    public static async Task<KafkaMockCluster> StartAsync(int brokers = 3)
    {
        // kcat produces from stdin: holding its stdin open keeps the mock alive until we stop it.
        var process = ExternalProcess.Start(ServiceBinaries.Find("kcat"),
            ["-b", "mock:1", "-X", $"test.mock.num.brokers={brokers}", "-d", "mock", "-P", "-t", "warmup"],
            holdStandardInput: true);
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var match = BootstrapLine().Match(process.Output);
            if (match.Success) return new KafkaMockCluster(process, match.Groups[1].Value);
            if (process.HasExited) throw new InvalidOperationException($"kcat mock cluster exited:\n{process.Output}");
            await Task.Delay(50);
        }
        await process.DisposeAsync();
        throw new TimeoutException($"kcat mock cluster printed no bootstrap.servers:\n{process.Output}");
    }

    [GeneratedRegex(@"bootstrap\.servers=([0-9.:,]+)")]
    private static partial Regex BootstrapLine();

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}
