using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// Issue #11, point 7: lag comes from the broker (high watermark vs the group's committed offset), so
/// it keeps moving when the reader does not, and a partition whose messages wait unread is reported.
/// </summary>
public sealed class PartitionHealthTests
{
    private const string UserId = "health-user";

    [Fact]
    public async Task A_partition_nobody_reads_while_messages_wait_is_reported_stuck_and_recovers_when_read()
    {
        await using var harness = await ReceiverHarness.StartAsync("wallet-events-health", o => o.StuckPartitionAfterMs = 1_000);
        var partition = harness.PartitionOf(UserId);
        var receiver = await harness.OpenReceiverAsync(UserId);
        var check = new KafkaStreamHealthCheck(harness.Factory.Health);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new())).Status);

        // The pulling agent stops asking (as it does when its cache is full): messages pile up unread.
        for (var sequence = 1; sequence <= 10; sequence++) await harness.PublishAsync(UserId, sequence);
        // The figures come from the broker every HealthCheckIntervalMs: wait until they show all ten.
        await Eventually.HoldsAsync(() =>
            {
                var now = harness.Factory.Health.GetPartitions().Single(p => p.Partition == partition);
                return now.Status == KafkaPartitionStatus.Stuck && now.UnreadMessages >= 10 && now.CommittedLag >= 10;
            }, ReceiverHarness.Timeout, () => $"not reported: {string.Join("; ", harness.Factory.Health.GetPartitions())}");
        var result = await check.CheckHealthAsync(new());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("messages wait", result.Description);

        var read = await ReceiverHarness.ReadAsync(receiver, 10);
        await receiver.MessagesDeliveredAsync(read, CancellationToken.None);
        await Eventually.HoldsAsync(() =>
            {
                var now = harness.Factory.Health.GetPartitions().Single(p => p.Partition == partition);
                return now.Status == KafkaPartitionStatus.Healthy && now.UnreadMessages == 0 && now.CommittedLag == 0;
            }, ReceiverHarness.Timeout, () => $"not recovered: {string.Join("; ", harness.Factory.Health.GetPartitions())}");
        await receiver.Shutdown(ReceiverHarness.Timeout);
        Assert.Empty(harness.Factory.Health.GetPartitions());
    }
}
