using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.TypeSystem;
using OrleansWallet.Orders;
using Xunit;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// Issue #11, point 1 (rolling deploy): bytes written by an earlier version are read by the next one.
/// The fixture is one order event exactly as the version before <c>[Alias]</c> wrote it (type header =
/// full .NET name); it is frozen, never regenerated.
/// </summary>
public sealed class TypeNameCompatibilityTests
{
    private static readonly OrderEvent Expected = new(1, "order-7:2", OrderEventTypes.PartiallyFilled, "alice", "order-7", 2,
        DateTimeOffset.Parse("2026-11-29T16:00:00+00:00", System.Globalization.CultureInfo.InvariantCulture),
        new OrderEventPayload("PartiallyFilled", "ETH", "600", "USDC", "1200", "200", "400", "f1", "200", "400", null));

    private sealed record Fixture(string Key, (string Name, string Value)[] Headers, byte[] Value);

    private static Fixture LoadFixture()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "order-event-envelope1-full-type-name.json")));
        var root = json.RootElement;
        return new Fixture(
            root.GetProperty("key").GetString()!,
            root.GetProperty("headers").EnumerateArray().Select(h => (h.GetProperty("name").GetString()!, h.GetProperty("value").GetString()!)).ToArray(),
            Convert.FromBase64String(root.GetProperty("valueBase64").GetString()!));
    }

    [Fact]
    public async Task An_order_event_written_by_the_previous_version_is_read_through_the_broker()
    {
        var fixture = LoadFixture();
        Assert.Contains((KafkaStreamHeaders.EventType, OrderEvent.LegacyWireTypeName), fixture.Headers);
        await using var harness = await ReceiverHarness.StartAsync("order-events-compat", o => o.EventTypes.Read(OrderEvent.LegacyWireTypeName, typeof(OrderEvent)));
        await harness.ProduceRawAsync(fixture.Key, fixture.Value, fixture.Headers);
        await harness.PublishAsync(fixture.Key, 1);

        var receiver = await harness.OpenReceiverAsync(fixture.Key);
        var read = await ReceiverHarness.ReadAsync(receiver, 2);
        var decoded = Assert.Single(read[0].GetEvents<OrderEvent>()).Item1;
        Assert.Equal(Expected, decoded);
        Assert.Equal(StreamId.Create(OrderEventStream.Namespace, "alice"), read[0].StreamId);
        await receiver.Shutdown(ReceiverHarness.Timeout);
    }

    [Fact]
    public void After_a_namespace_rename_the_registered_old_name_still_reads_and_an_unregistered_one_is_refused_not_skipped()
    {
        var fixture = LoadFixture();
        // What the previous version wrote if OrderEvent had lived in another namespace, now renamed away.
        const string RenamedAway = "OrleansWallet.Orders.V0.OrderEvent,OrleansWallet.Grains.Interfaces";
        var headers = fixture.Headers.Select(h => h.Name == KafkaStreamHeaders.EventType ? (h.Name, RenamedAway) : h).ToArray();

        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var converter = services.GetRequiredService<TypeConverter>();
        var registry = new KafkaEventTypeRegistry().Read(RenamedAway, typeof(OrderEvent));
        var reading = new KafkaMessageCodec(JsonKafkaStreamEventSerializer.Default, converter, registry);
        Assert.True(reading.TryDecode(Result(fixture.Key, headers, fixture.Value), out var container, out _, out _));
        Assert.Equal(Expected, container!.GetEvents<OrderEvent>().Single().Item1);

        var unaware = new KafkaMessageCodec(JsonKafkaStreamEventSerializer.Default, converter);
        Assert.False(unaware.TryDecode(Result(fixture.Key, headers, fixture.Value), out _, out var reason, out var detail));
        Assert.Equal(KafkaDeadLetterReasons.UnknownType, reason);
        Assert.Contains(RenamedAway, detail);
    }

    [Fact]
    public void This_version_writes_the_alias_and_the_same_json_bytes_with_source_generation()
    {
        var fixture = LoadFixture();
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var codec = new KafkaMessageCodec(JsonKafkaStreamEventSerializer.WithContracts(OrderEventJsonContext.Default), services.GetRequiredService<TypeConverter>(),
            requireStableTypeNames: true);
        var message = codec.Encode(StreamId.Create(OrderEventStream.Namespace, "alice"), Expected, DateTimeOffset.UnixEpoch);

        Assert.Equal(OrderEvent.WireTypeName, Header(message.Headers, KafkaStreamHeaders.EventType));
        // The value is the public contract: byte for byte what the previous version wrote.
        Assert.Equal(fixture.Value, message.Value);
        Assert.Equal(Encoding.UTF8.GetBytes(fixture.Key), message.Key);
        // And the alias reads back (no registry needed).
        Assert.True(codec.TryDecode(Result("alice", message.Headers.Select(h => (h.Key, Encoding.UTF8.GetString(h.GetValueBytes()))).ToArray(), message.Value), out var container, out _, out _));
        Assert.Equal(Expected, container!.GetEvents<OrderEvent>().Single().Item1);
    }

    [Fact]
    public void Publishing_a_type_without_a_stable_name_is_refused_naming_the_type()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var codec = new KafkaMessageCodec(JsonKafkaStreamEventSerializer.Default, services.GetRequiredService<TypeConverter>(), requireStableTypeNames: true);
        var failure = Assert.Throws<ArgumentException>(() => codec.Encode(StreamId.Create("ns", "alice"), new UnaliasedEvent("x"), DateTimeOffset.UnixEpoch));
        Assert.Contains(nameof(UnaliasedEvent), failure.Message);
        Assert.Contains("[Alias", failure.Message);
    }

    [Orleans.GenerateSerializer]
    public sealed record UnaliasedEvent([property: Orleans.Id(0)] string Text);

    private static string? Header(Headers headers, string name) => headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : null;

    private static ConsumeResult<byte[], byte[]> Result(string key, (string Name, string Value)[] headers, byte[] value)
    {
        var message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = value, Headers = [] };
        foreach (var (name, headerValue) in headers) message.Headers.Add(name, Encoding.UTF8.GetBytes(headerValue));
        return new ConsumeResult<byte[], byte[]> { Message = message, TopicPartitionOffset = new TopicPartitionOffset("order-events", 0, 0) };
    }
}
