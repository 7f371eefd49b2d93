using OrleansWallet.Streaming.Kafka.Tests;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Streams;
using OrleansWallet.Streaming.Kafka;
using OrleansWallet.Streaming.Kafka.Benchmark;

// One command, one table: `dotnet run -c Release --project tests/Streaming.Kafka.Benchmark [-- --runs N]`.
// Every figure is measured in each of N runs (default 3) in the same process against the same mock
// broker; the table shows each run and the median, and ratios are taken within a run.
var runs = Argument("--runs") ?? 3;
// Optional: KafkaStreamOptions.DeliveryBatchSize of the delivering provider (default: the option's default).
var deliveryBatchSize = Argument("--delivery-batch") ?? new KafkaStreamOptions().DeliveryBatchSize;

// Events per throughput measurement; the mock keeps ~100k messages per partition, so each run's
// share of a topic (4 partitions) stays well under it.
const int EventCount = 60_000;
// Concurrency of the closed-loop measurements: 1,000 publishers (grains) each awaiting every event,
// then 100. The mock has 4 partitions, so that is 250 (25) streams per partition: Orleans' queue cache
// has each stream's cursor walk every cached event, so delivery cost grows with streams per partition.
const int UserCount = 1_000;
const int FewUserCount = 100;
// Latency at a load the provider sustains: 2,000 events/s from 100 publishers, 20 each per second.
const int PacedRatePerSecond = 2_000;
const int PacedUserCount = 100;
const int PacedEventCount = 10_000;
const int PartitionCount = KafkaMockBroker.PartitionCount;
var deliveryTimeout = TimeSpan.FromMinutes(3);
var defaults = new KafkaStreamOptions();

await using var mock = await KafkaMockBroker.StartAsync();
await mock.CreateTopicAsync("bench-raw");
await mock.CreateTopicAsync("bench-orleans");
await mock.CreateTopicAsync("bench-publish-only");
var users = Enumerable.Range(0, UserCount).Select(i => $"user-{i:D5}").ToArray();
var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
Console.WriteLine($"Kafka stream provider benchmark: librdkafka mock (3 brokers, {PartitionCount} partitions), {Environment.ProcessorCount} cores, load average {load} at start, {runs} runs");
Console.WriteLine($"Producer settings everywhere: acks=all, idempotence, {defaults.Compression}, linger.ms={defaults.LingerMs}, delivery reports with status only; partition = murmur2(key); same JSON value and 4 headers.");
Console.WriteLine($"Closed loop: {UserCount:N0} (then {FewUserCount:N0}) publishers, each awaiting each of its events in turn ({EventCount:N0} events); each publisher is one stream, with an implicit subscriber grain. Open loop: one caller, no awaits.");
Console.WriteLine();

Console.WriteLine($"Provider options: defaults, DeliveryBatchSize={deliveryBatchSize}.");
using var host = await StartSiloAsync(mock.BootstrapServers, deliveryBatchSize);
var client = host.Services.GetRequiredService<IClusterClient>();
var provider = client.GetStreamProvider(BenchmarkStreams.ProviderName);
var publishOnlyProvider = client.GetStreamProvider(BenchmarkStreams.PublishOnlyProviderName);
await WarmUpAsync(provider, users, deliveryTimeout);

var results = new List<RunFigures>();
for (var run = 1; run <= runs; run++)
{
    var rawOpen = RunRawOpenLoop(mock.BootstrapServers, users, defaults);
    var many = await ClosedLoopAsync(users);
    var few = await ClosedLoopAsync(users[..FewUserCount]);
    var paced = await RunPacedAsync(provider, users, deliveryTimeout);
    results.Add(new RunFigures(rawOpen, many, few, paced));
    Console.Error.WriteLine($"run {run} done");
}

await host.StopAsync();
PrintTable(results);
return 0;

async Task<ClosedLoop> ClosedLoopAsync(string[] publishers)
{
    var rawClosed = await RunRawClosedLoopAsync(mock.BootstrapServers, publishers, defaults);
    var publishOnly = await MeasureAsync(() => PublishAllAsync(publishOnlyProvider, publishers));
    LatencyLog.Reset(EventCount);
    // Until the last event reached its subscriber grain, not just until it was published.
    var withDelivery = await MeasureAsync(async () =>
    {
        await PublishAllAsync(provider, publishers);
        await WaitForAsync(() => LatencyLog.Count >= EventCount, deliveryTimeout);
    });
    return new ClosedLoop(rawClosed, publishOnly, withDelivery);
}

int? Argument(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : null;
}

static async Task<IHost> StartSiloAsync(string bootstrapServers, int deliveryBatchSize)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.UseOrleans(silo => silo
        .UseLocalhostClustering()
        .AddMemoryGrainStorage("PubSubStore")
        // The provider as shipped: default options apart from where the broker is.
        .AddKafkaStreams(BenchmarkStreams.ProviderName, options =>
        {
            options.BootstrapServers = bootstrapServers;
            options.Topic = "bench-orleans";
            options.ConsumerGroupId = "benchmark";
            options.PartitionCount = PartitionCount;
            options.DeliveryBatchSize = deliveryBatchSize;
        })
        // Same provider on its own topic with pulling agents stopped: the publish path alone.
        .AddKafkaStreams(BenchmarkStreams.PublishOnlyProviderName, options =>
        {
            options.BootstrapServers = bootstrapServers;
            options.Topic = "bench-publish-only";
            options.ConsumerGroupId = "benchmark";
            options.PartitionCount = PartitionCount;
        }, stream => stream.ConfigureLifecycle(lifecycle => lifecycle.Configure(o => o.StartupState = StreamLifecycleOptions.RunState.AgentsStopped))));
    var host = builder.Build();
    await host.StartAsync();
    return host;
}

// Activates every subscriber grain and both producers so each run measures steady state.
static async Task WarmUpAsync(IStreamProvider provider, string[] users, TimeSpan timeout)
{
    LatencyLog.Reset(users.Length);
    await Task.WhenAll(users.Select(user => provider.GetStream<BenchmarkEvent>(StreamId.Create(BenchmarkStreams.Namespace, user))
        .OnNextAsync(BenchmarkEvent.Create(user, 0, Stopwatch.GetTimestamp()))));
    await WaitForAsync(() => LatencyLog.Count >= users.Length, timeout);
}

// The raw client's best case: one caller hands every message to librdkafka and never waits.
static Measured RunRawOpenLoop(string bootstrapServers, string[] users, KafkaStreamOptions defaults)
{
    using var producer = new ProducerBuilder<byte[], byte[]>(RawConfig(bootstrapServers, defaults)).Build();
    var failures = 0;
    var delivered = 0;
    Action<DeliveryReport<byte[], byte[]>> onDelivered = report =>
    {
        if (report.Error.IsError) Interlocked.Increment(ref failures);
        Interlocked.Increment(ref delivered);
    };
    var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
    var started = Stopwatch.GetTimestamp();
    for (var sequence = 1; sequence <= EventCount / users.Length; sequence++)
    {
        foreach (var user in users)
        {
            var (partition, message) = RawMessage(user, sequence);
            while (true)
            {
                try
                {
                    producer.Produce(partition, message, onDelivered);
                    break;
                }
                catch (ProduceException<byte[], byte[]> exception) when (exception.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }
    }

    producer.Flush(TimeSpan.FromMinutes(1));
    var elapsed = Stopwatch.GetElapsedTime(started);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
    if (failures > 0 || delivered != EventCount) throw new InvalidOperationException($"raw open loop: {delivered} delivered, {failures} failed");
    return new Measured(EventCount / elapsed.TotalSeconds, cpu.TotalMicroseconds / EventCount);
}

// Like for like with the provider: the same publishers, each awaiting every event before the next.
static async Task<Measured> RunRawClosedLoopAsync(string bootstrapServers, string[] users, KafkaStreamOptions defaults)
{
    using var producer = new ProducerBuilder<byte[], byte[]>(RawConfig(bootstrapServers, defaults)).Build();
    return await MeasureAsync(() => Task.WhenAll(users.Select(async user =>
    {
        await Task.Yield();
        for (var sequence = 1; sequence <= EventCount / users.Length; sequence++)
        {
            var (partition, message) = RawMessage(user, sequence);
            await producer.ProduceAsync(partition, message);
        }
    })));
}

// The provider's producer settings, including the delivery reports it asks for (status only): the raw
// client gets every setting the provider benefits from.
static ProducerConfig RawConfig(string bootstrapServers, KafkaStreamOptions defaults) => new()
{
    BootstrapServers = bootstrapServers,
    Acks = Acks.All,
    EnableIdempotence = true,
    CompressionType = defaults.Compression,
    LingerMs = defaults.LingerMs,
    MessageTimeoutMs = defaults.ProduceTimeoutMs,
    DeliveryReportFields = "status",
};

// What a hand-written publisher would send: the same key, partition, JSON value and headers as the provider.
static (TopicPartition, Message<byte[], byte[]>) RawMessage(string user, int sequence)
{
    var key = Encoding.UTF8.GetBytes(user);
    var message = new Message<byte[], byte[]>
    {
        Key = key,
        Value = JsonSerializer.SerializeToUtf8Bytes(BenchmarkEvent.Create(user, sequence, Stopwatch.GetTimestamp()), JsonSerializerOptions.Web),
        Headers = new Headers
        {
            { KafkaStreamHeaders.EnvelopeVersion, "1"u8.ToArray() },
            { KafkaStreamHeaders.EventType, "kafka-benchmark.event"u8.ToArray() },
            { KafkaStreamHeaders.ContentType, "application/json"u8.ToArray() },
            { KafkaStreamHeaders.StreamNamespace, Encoding.UTF8.GetBytes(BenchmarkStreams.Namespace) },
        },
    };
    return (new TopicPartition("bench-raw", KafkaPartitioner.PartitionFor(key, PartitionCount)), message);
}

static async Task<Measured> MeasureAsync(Func<Task> publish)
{
    var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
    var started = Stopwatch.GetTimestamp();
    await publish();
    var elapsed = Stopwatch.GetElapsedTime(started);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
    return new Measured(EventCount / elapsed.TotalSeconds, cpu.TotalMicroseconds / EventCount);
}

// Every user publishes its events in order, awaiting each (as a grain publishing from its outbox does).
static Task PublishAllAsync(IStreamProvider provider, string[] users) =>
    Task.WhenAll(users.Select(async user =>
    {
        await Task.Yield();
        var stream = provider.GetStream<BenchmarkEvent>(StreamId.Create(BenchmarkStreams.Namespace, user));
        for (var sequence = 1; sequence <= EventCount / users.Length; sequence++)
        {
            await stream.OnNextAsync(BenchmarkEvent.Create(user, sequence, Stopwatch.GetTimestamp()));
        }
    }));

static async Task<Latency> RunPacedAsync(IStreamProvider provider, string[] users, TimeSpan timeout)
{
    LatencyLog.Reset(PacedEventCount);
    var interval = TimeSpan.FromSeconds((double)PacedUserCount / PacedRatePerSecond);
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(users.Take(PacedUserCount).Select(async (user, index) =>
    {
        await Task.Yield();
        // Publishers start spread over one interval, so the load is even rather than in bursts of 100.
        await Task.Delay(interval * index / PacedUserCount);
        var stream = provider.GetStream<BenchmarkEvent>(StreamId.Create(BenchmarkStreams.Namespace, user));
        using var timer = new PeriodicTimer(interval);
        for (var sequence = 1; sequence <= PacedEventCount / PacedUserCount; sequence++)
        {
            await timer.WaitForNextTickAsync();
            await stream.OnNextAsync(BenchmarkEvent.Create(user, 1_000_000 + sequence, Stopwatch.GetTimestamp()));
        }
    }));
    await WaitForAsync(() => LatencyLog.Count >= PacedEventCount, timeout);
    var rate = PacedEventCount / Stopwatch.GetElapsedTime(started).TotalSeconds;
    return new Latency(rate, LatencyLog.PercentileMs(50), LatencyLog.PercentileMs(99), LatencyLog.PercentileMs(99.9));
}

static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
{
    var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    while (!condition())
    {
        if (Stopwatch.GetTimestamp() > deadline)
        {
            throw new TimeoutException($"only {LatencyLog.Count.ToString(CultureInfo.InvariantCulture)} events delivered within {timeout}");
        }

        await Task.Delay(20);
    }
}

static void PrintTable(List<RunFigures> results)
{
    var rows = new List<(string Name, Func<RunFigures, double> Value, string Format)>
    {
        ("raw Confluent, open loop (events/s)", r => r.RawOpen.Rate, "N0"),
    };
    foreach (var (label, loop) in new (string, Func<RunFigures, ClosedLoop>)[] { ($"{UserCount:N0} publishers", r => r.Many), ($"{FewUserCount:N0} publishers", r => r.Few) })
    {
        rows.Add(($"{label}: raw Confluent, closed loop (events/s)", r => loop(r).RawClosed.Rate, "N0"));
        rows.Add(($"{label}: provider, publish only (events/s)", r => loop(r).PublishOnly.Rate, "N0"));
        rows.Add(($"{label}: provider, publish + deliver (events/s)", r => loop(r).WithDelivery.Rate, "N0"));
        rows.Add(($"{label}: publish only / raw closed loop", r => loop(r).PublishOnly.Rate / loop(r).RawClosed.Rate * 100, "N0"));
        rows.Add(($"{label}: publish + deliver / raw closed loop", r => loop(r).WithDelivery.Rate / loop(r).RawClosed.Rate * 100, "N0"));
        rows.Add(($"{label}: CPU µs/event, raw closed loop", r => loop(r).RawClosed.CpuUsPerEvent, "N1"));
        rows.Add(($"{label}: CPU µs/event, publish only", r => loop(r).PublishOnly.CpuUsPerEvent, "N1"));
        rows.Add(($"{label}: CPU µs/event, publish + deliver", r => loop(r).WithDelivery.CpuUsPerEvent, "N1"));
    }

    rows.Add(("publish only / raw open loop (1,000 publishers)", r => r.Many.PublishOnly.Rate / r.RawOpen.Rate * 100, "N0"));
    rows.Add(($"latency p50 at {PacedRatePerSecond:N0}/s (ms)", r => r.Paced.P50Ms, "N1"));
    rows.Add(($"latency p99 at {PacedRatePerSecond:N0}/s (ms)", r => r.Paced.P99Ms, "N1"));
    rows.Add(($"latency p99.9 at {PacedRatePerSecond:N0}/s (ms)", r => r.Paced.P999Ms, "N1"));
    rows.Add(("paced rate achieved (events/s)", r => r.Paced.Rate, "N0"));
    var header = "| measure | " + string.Join(" | ", results.Select((_, i) => $"run {i + 1}")) + " | median |";
    Console.WriteLine(header);
    Console.WriteLine("|" + string.Concat(Enumerable.Repeat(" --- |", results.Count + 2)));
    foreach (var (name, value, format) in rows)
    {
        var values = results.Select(value).ToList();
        var unit = name.Contains(" / ", StringComparison.Ordinal) ? " %" : "";
        Console.WriteLine($"| {name} | {string.Join(" | ", values.Select(v => v.ToString(format, CultureInfo.InvariantCulture) + unit))} | {Median(values).ToString(format, CultureInfo.InvariantCulture)}{unit} |");
    }

    Console.WriteLine();
    Console.WriteLine("Latency: publish call to the subscriber grain's handler, same process (Stopwatch). Targets: p50 <= 10 ms, p99 <= 50 ms;");
    Console.WriteLine("publish only >= 70 % and publish + deliver >= 40 % of the raw closed loop.");
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

internal sealed record Measured(double Rate, double CpuUsPerEvent);

internal sealed record Latency(double Rate, double P50Ms, double P99Ms, double P999Ms);

internal sealed record ClosedLoop(Measured RawClosed, Measured PublishOnly, Measured WithDelivery);

internal sealed record RunFigures(Measured RawOpen, ClosedLoop Many, ClosedLoop Few, Latency Paced);
