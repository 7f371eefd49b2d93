using Orleans.Runtime;
using Orleans.Streams;
using Orleans.TestingHost;
using Xunit;
using Xunit.Abstractions;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// Two silos share the partitions; killing one moves its partitions to the other and every event
/// still arrives (duplicates allowed: deduped by event id, each arrives exactly once).
/// </summary>
public sealed class SiloFailoverTests(ITestOutputHelper output)
{
    private const int UserCount = 100;
    private const int EventsPerPhase = 20;
    private static readonly TimeSpan BalanceTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Killing_a_silo_moves_its_partitions_and_loses_no_event()
    {
        ReceivedEvents.Clear();
        await using var broker = await KafkaMockBroker.StartAsync();
        const string Topic = "wallet-events-failover";
        await broker.CreateTopicAsync(Topic);
        // The lease balancer splits queues evenly (2 + 2); the consistent ring may give all 4 of the
        // mock's partitions to one silo, which would leave nothing to move.
        var cluster = KafkaTestCluster.Builder(2, broker.BootstrapServers, Topic, "failover-group", KafkaTestCluster.LeaseBalancer).Build();
        await cluster.DeployAsync();
        try
        {
            var primary = cluster.Primary ?? throw new InvalidOperationException("no primary silo");
            var secondary = cluster.SecondarySilos.Single();
            await Eventually.HoldsAsync(
                async () => await KafkaTestCluster.RunningAgentsAsync(primary) == 2 && await KafkaTestCluster.RunningAgentsAsync(secondary) == 2,
                BalanceTimeout, () => "partitions were not split 2 + 2 between the silos");

            var users = Enumerable.Range(0, UserCount).Select(i => $"failover-user-{i}").ToArray();
            var provider = cluster.Client.GetStreamProvider(TestStreams.ProviderName);
            await PublishAsync(provider, users, 1, EventsPerPhase);
            await Eventually.HoldsAsync(() => ReceivedEvents.DistinctCount() == UserCount * EventsPerPhase, DeliveryTimeout,
                () => $"before the kill {ReceivedEvents.DistinctCount()} of {UserCount * EventsPerPhase} arrived");

            // Publish the second phase while the secondary dies.
            var publishing = PublishAsync(provider, users, EventsPerPhase + 1, 2 * EventsPerPhase);
            await cluster.KillSiloAsync(secondary);
            await publishing;

            await Eventually.HoldsAsync(async () => await KafkaTestCluster.RunningAgentsAsync(primary) == KafkaMockBroker.PartitionCount,
                BalanceTimeout, () => "the surviving silo did not take over all partitions");
            var expectedIds = users.SelectMany(u => Enumerable.Range(1, 2 * EventsPerPhase).Select(s => WalletTestEvent.For(u, s).EventId)).ToHashSet();
            await Eventually.HoldsAsync(() => ReceivedEvents.DistinctCount() == expectedIds.Count, DeliveryTimeout,
                () => $"after the kill {ReceivedEvents.DistinctCount()} of {expectedIds.Count} arrived");

            var received = ReceivedEvents.Snapshot();
            Assert.True(received.Select(e => e.EventId).ToHashSet().SetEquals(expectedIds));
            foreach (var group in ReceivedEvents.FirstDeliveries().GroupBy(e => e.UserId))
            {
                Assert.Equal(Enumerable.Range(1, 2 * EventsPerPhase), group.Select(e => e.Sequence));
            }

            output.WriteLine($"{received.Count} deliveries for {expectedIds.Count} events ({received.Count - expectedIds.Count} duplicates).");
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private static Task PublishAsync(IStreamProvider provider, string[] users, int firstSequence, int lastSequence) =>
        Task.WhenAll(users.Select(async user =>
        {
            await Task.Yield();
            var stream = provider.GetStream<WalletTestEvent>(StreamId.Create(TestStreams.Namespace, user));
            for (var sequence = firstSequence; sequence <= lastSequence; sequence++)
            {
                await stream.OnNextAsync(WalletTestEvent.For(user, sequence));
            }
        }));
}
