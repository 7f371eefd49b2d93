using Orleans.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// A restarted cluster resumes from the committed offsets: what was delivered before is not
/// delivered again in bulk, and what was produced while it was down is delivered.
/// </summary>
public sealed class RestartResumeTests(ITestOutputHelper output)
{
    private const int UserCount = 100;
    private const int EventsPerPhase = 10;
    private const int PhaseEventCount = UserCount * EventsPerPhase;
    private const string Topic = "wallet-events-restart";
    private const string Group = "restart-group";
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Offsets are stored when the cache purges, which it does for the oldest events every cursor of
    /// their stream has passed; a cursor still on (or before) an event at the stop holds it and what
    /// follows, so up to a whole cache of delivered events per partition may come again. Re-reading
    /// from the start would bring all 1,000. One silo per run: a second silo joining would move
    /// partitions during start-up, each move re-reading from the last commit (that path is the failover test's).
    /// </summary>
    private const int RedeliveredMax = KafkaMockBroker.PartitionCount * KafkaTestCluster.CacheSizeMessages;

    [Fact]
    public async Task Restarted_silos_resume_from_committed_offsets()
    {
        // The bound must stay well under the first run's events, or a restart from the start would pass.
        Assert.True(RedeliveredMax < PhaseEventCount / 2, $"bound {RedeliveredMax} is too loose for {PhaseEventCount} events");
        ReceivedEvents.Clear();
        await using var broker = await KafkaMockBroker.StartAsync();
        await broker.CreateTopicAsync(Topic);
        var users = Enumerable.Range(0, UserCount).Select(i => $"restart-user-{i}").ToArray();

        var first = KafkaTestCluster.Builder(1, broker.BootstrapServers, Topic, Group).Build();
        await first.DeployAsync();
        try
        {
            var provider = first.Client.GetStreamProvider(TestStreams.ProviderName);
            await Task.WhenAll(users.Select(async user =>
            {
                await Task.Yield();
                var stream = provider.GetStream<WalletTestEvent>(StreamId.Create(TestStreams.Namespace, user));
                for (var sequence = 1; sequence <= EventsPerPhase; sequence++)
                {
                    await stream.OnNextAsync(WalletTestEvent.For(user, sequence));
                }
            }));
            await Eventually.HoldsAsync(() => ReceivedEvents.DistinctCount() == PhaseEventCount, DeliveryTimeout,
                () => $"first run: {ReceivedEvents.DistinctCount()} of {PhaseEventCount} arrived");
        }
        finally
        {
            await first.StopAllSilosAsync();
            await first.DisposeAsync();
        }
        var deliveredBeforeRestart = ReceivedEvents.Snapshot().Select(e => e.EventId).ToHashSet();
        ReceivedEvents.Clear();

        // Produced while no silo runs.
        var options = new KafkaStreamOptions
        {
            BootstrapServers = broker.BootstrapServers, Topic = Topic, ConsumerGroupId = Group, PartitionCount = KafkaMockBroker.PartitionCount,
        };
        using (var publisher = new StandalonePublisher(options))
        {
            await Task.WhenAll(users.Select(async user =>
            {
                await Task.Yield();
                for (var sequence = EventsPerPhase + 1; sequence <= 2 * EventsPerPhase; sequence++)
                {
                    await publisher.PublishAsync(WalletTestEvent.For(user, sequence));
                }
            }));
        }
        var second = KafkaTestCluster.Builder(1, broker.BootstrapServers, Topic, Group).Build();
        await second.DeployAsync();
        try
        {
            var producedWhileDown = users.SelectMany(u => Enumerable.Range(EventsPerPhase + 1, EventsPerPhase).Select(s => WalletTestEvent.For(u, s).EventId)).ToHashSet();
            await Eventually.HoldsAsync(() => producedWhileDown.IsSubsetOf(ReceivedEvents.Snapshot().Select(e => e.EventId)), DeliveryTimeout,
                () => $"second run: {ReceivedEvents.Snapshot().Count(e => producedWhileDown.Contains(e.EventId))} of {producedWhileDown.Count} produced while down arrived");
            var redelivered = ReceivedEvents.Snapshot().Count(e => deliveredBeforeRestart.Contains(e.EventId));
            output.WriteLine($"Redelivered after restart: {redelivered} (bound {RedeliveredMax}).");
            Assert.InRange(redelivered, 0, RedeliveredMax);

            // Per-user order holds for the events of the second run once duplicates (if any) are dropped.
            foreach (var group in ReceivedEvents.FirstDeliveries().Where(e => producedWhileDown.Contains(e.EventId)).GroupBy(e => e.UserId))
            {
                Assert.Equal(Enumerable.Range(EventsPerPhase + 1, EventsPerPhase), group.Select(e => e.Sequence));
            }
        }
        finally
        {
            await second.StopAllSilosAsync();
            await second.DisposeAsync();
        }
    }
}
