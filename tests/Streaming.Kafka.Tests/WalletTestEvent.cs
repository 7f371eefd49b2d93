using Orleans;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>The event the tests publish: a per-user sequence number and a unique id for dedupe.</summary>
[GenerateSerializer, Alias("kafka-tests.wallet-test-event")]
public sealed class WalletTestEvent
{
    [Id(0)] public required string UserId { get; init; }
    [Id(1)] public required int Sequence { get; init; }
    [Id(2)] public required string EventId { get; init; }

    public static WalletTestEvent For(string userId, int sequence, string phase = "") =>
        new() { UserId = userId, Sequence = sequence, EventId = $"{phase}{userId}#{sequence}" };
}
