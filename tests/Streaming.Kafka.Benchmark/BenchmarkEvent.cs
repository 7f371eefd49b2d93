using Orleans;

namespace OrleansWallet.Streaming.Kafka.Benchmark;

/// <summary>An order-event-sized payload (~200 bytes of JSON) carrying its publish time.</summary>
// Immutable like OrderEvent, the event it stands for: Orleans then passes it to subscribers without a copy.
[GenerateSerializer, Immutable, Alias("kafka-benchmark.event")]
public sealed class BenchmarkEvent
{
    [Id(0)] public required string UserId { get; init; }
    [Id(1)] public required long Sequence { get; init; }
    [Id(2)] public required string OrderId { get; init; }
    [Id(3)] public required string Kind { get; init; }
    [Id(4)] public required string AmountBaseUnits { get; init; }
    [Id(5)] public required string Asset { get; init; }
    /// <summary>Stopwatch timestamp at publish; same process, so comparable at the subscriber.</summary>
    [Id(6)] public required long PublishedTimestamp { get; init; }

    public static BenchmarkEvent Create(string userId, long sequence, long publishedTimestamp) => new()
    {
        UserId = userId,
        Sequence = sequence,
        OrderId = $"order-{userId}-{sequence:D8}",
        Kind = "OrderFilled",
        AmountBaseUnits = "1250000000000000000",
        Asset = "ETH",
        PublishedTimestamp = publishedTimestamp,
    };
}
