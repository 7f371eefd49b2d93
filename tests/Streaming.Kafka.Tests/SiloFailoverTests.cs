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

    /// <summary>
    /// Lease: splits 2 + 2, so the kill always moves partitions. Ring (the provider's default): the
    /// split depends on silo hashes and may leave the killed silo with none; the test then still
    /// checks that the survivor owns everything and nothing is lost.
    /// </summary>
    [Theory]
    [InlineData(KafkaTestCluster.LeaseBalancer)]
    [InlineData(KafkaTestCluster.RingBalancer)]
    public async Task Killing_a_silo_moves_its_partitions_and_loses_no_event(string balancer)
    {
        ReceivedEvents.Clear();
        await using var broker = await KafkaMockBroker.StartAsync();
        var topic = $"wallet-events-failover-{balancer}";
        await broker.CreateTopicAsync(topic);
        var cluster = KafkaTestCluster.Builder(2, broker.BootstrapServers, topic, $"failover-group-{balancer}", balancer).Build();
        await cluster.DeployAsync();
        try
        {
            var primary = cluster.Primary ?? throw new InvalidOperationException("no primary silo");
            var secondary = cluster.SecondarySilos.Single();
            await Eventually.HoldsAsync(
                async () =>
                {
                    var onPrimary = await KafkaTestCluster.RunningAgentsAsync(primary);
                    var onSecondary = await KafkaTestCluster.RunningAgentsAsync(secondary);
                    return balancer == KafkaTestCluster.LeaseBalancer
                        ? onPrimary == 2 && onSecondary == 2
                        : onPrimary + onSecondary == KafkaMockBroker.PartitionCount;
                },
                BalanceTimeout, () => "partitions were not split between the silos");
            output.WriteLine($"Agents before the kill: primary {await KafkaTestCluster.RunningAgentsAsync(primary)}, secondary {await KafkaTestCluster.RunningAgentsAsync(secondary)}.");

            var users = Enumerable.Range(0, UserCount).Select(i => $"failover-user-{i}").ToArray();
            var provider = cluster.Client.GetStreamProvider(TestStreams.ProviderName);
            await PublishAsync(provider, users, 1, EventsPerPhase);
            await Eventually.HoldsAsync(() => ReceivedEvents.DistinctCount() == UserCount * EventsPerPhase, DeliveryTimeout,
                () => $"before the kill {ReceivedEvents.DistinctCount()} of {UserCount * EventsPerPhase} arrived");

            // Publish the second phase while the secondary dies. For an in-process silo "kill" is an
            // ungraceful stop (host StopAsync with a cancelled token), not a lost process: its last
            // commit may still go out, so this shows the move and the absence of loss, not the size
            // of the re-read after a real crash (bounded by CommitIntervalMs).
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
