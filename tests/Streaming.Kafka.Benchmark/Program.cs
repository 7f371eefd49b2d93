using OrleansWallet.Streaming.Kafka.Tests;
using System.Diagnostics;
using System.Globalization;
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

// Events per run: under the mock's ~100k-per-partition retention, enough for a steady rate.
const int EventCount = 100_000;
const int UserCount = 1_000;
const int EventsPerUser = EventCount / UserCount;
// Paced run: latency at a load the provider sustains, well under the saturation rate measured above.
const int PacedRatePerSecond = 2_000;
const int PacedUserCount = 100;
const int PacedEventCount = 10_000;
var deliveryTimeout = TimeSpan.FromMinutes(3);

await using var mock = await KafkaMockBroker.StartAsync();
await mock.CreateTopicAsync("bench-raw");
await mock.CreateTopicAsync("bench-orleans");
await mock.CreateTopicAsync("bench-publish-only");
var users = Enumerable.Range(0, UserCount).Select(i => $"user-{i:D5}").ToArray();

Console.WriteLine($"Kafka stream provider benchmark: {EventCount:N0} events, {UserCount:N0} users, librdkafka mock (3 brokers), {Environment.ProcessorCount} cores");
Console.WriteLine("Producer settings in both runs: acks=all, idempotence, snappy, linger.ms=5; partition = murmur2(key).");

var raw = RunRaw(mock.BootstrapServers, users);
Console.WriteLine($"raw Confluent.Kafka producer : {raw.Rate,10:N0} events/s   CPU {raw.CpuUsPerEvent,6:N1} µs/event   ({raw.Elapsed.TotalSeconds:N2} s)");

var (publishOnly, orleans, paced) = await RunOrleansAsync(mock.BootstrapServers, users, deliveryTimeout);
Console.WriteLine($"provider, publish only       : {publishOnly.Rate,10:N0} events/s   CPU {publishOnly.CpuUsPerEvent,6:N1} µs/event   ({publishOnly.Elapsed.TotalSeconds:N2} s; pulling agents stopped)");
Console.WriteLine($"provider, publish + deliver  : {orleans.Rate,10:N0} events/s   CPU {orleans.CpuUsPerEvent,6:N1} µs/event   ({orleans.Elapsed.TotalSeconds:N2} s to publish, {orleans.EndToEnd.TotalSeconds:N2} s until all delivered)");
Console.WriteLine($"ratio provider / raw         : {publishOnly.Rate / raw.Rate:P1} publish only, {orleans.Rate / raw.Rate:P1} with delivery");
Console.WriteLine($"publish -> subscriber latency: p50 {orleans.LatencyP50Ms:N1} ms   p99 {orleans.LatencyP99Ms:N1} ms   at full load ({EventCount:N0} deliveries; includes queueing behind the backlog)");
Console.WriteLine($"publish -> subscriber latency: p50 {paced.LatencyP50Ms:N1} ms   p99 {paced.LatencyP99Ms:N1} ms   at {PacedRatePerSecond:N0} events/s ({PacedEventCount:N0} deliveries)");
return 0;

static RunResult RunRaw(string bootstrapServers, string[] users)
{
    var config = new ProducerConfig
    {
        BootstrapServers = bootstrapServers,
        Acks = Acks.All,
        EnableIdempotence = true,
        CompressionType = CompressionType.Snappy,
        LingerMs = 5,
    };
    using var producer = new ProducerBuilder<byte[], byte[]>(config).Build();
    var process = Process.GetCurrentProcess();
    var cpuStart = process.TotalProcessorTime;
    var started = Stopwatch.GetTimestamp();
    var failures = 0;
    var delivered = 0;
    Action<DeliveryReport<byte[], byte[]>> onDelivered = report =>
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref failures);
        }

        Interlocked.Increment(ref delivered);
    };
    for (var sequence = 1; sequence <= EventsPerUser; sequence++)
    {
        foreach (var user in users)
        {
            var key = System.Text.Encoding.UTF8.GetBytes(user);
            var value = JsonSerializer.SerializeToUtf8Bytes(BenchmarkEvent.Create(user, sequence, Stopwatch.GetTimestamp()));
            var partition = new TopicPartition("bench-raw", KafkaPartitioner.PartitionFor(key, 4));
            while (true)
            {
                try
                {
                    producer.Produce(partition, new Message<byte[], byte[]> { Key = key, Value = value }, onDelivered);
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
    process.Refresh();
    var cpu = process.TotalProcessorTime - cpuStart;
    if (failures > 0 || delivered != EventCount)
    {
        throw new InvalidOperationException($"raw producer: {delivered} delivered, {failures} failed");
    }

    return new RunResult(EventCount / elapsed.TotalSeconds, cpu.TotalMicroseconds / EventCount, elapsed, elapsed);
}

static async Task<(RunResult PublishOnly, RunResult EndToEnd, RunResult Paced)> RunOrleansAsync(string bootstrapServers, string[] users, TimeSpan deliveryTimeout)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.UseOrleans(silo => silo
        .UseLocalhostClustering()
        .AddMemoryGrainStorage("PubSubStore")
        .AddKafkaStreams(BenchmarkStreams.ProviderName, options =>
        {
            options.BootstrapServers = bootstrapServers;
            options.Topic = "bench-orleans";
            options.ConsumerGroupId = "benchmark";
            options.PartitionCount = 4;
        })
        // Same provider on its own topic with pulling agents stopped: measures the publish path alone.
        .AddKafkaStreams(BenchmarkStreams.PublishOnlyProviderName, options =>
        {
            options.BootstrapServers = bootstrapServers;
            options.Topic = "bench-publish-only";
            options.ConsumerGroupId = "benchmark";
            options.PartitionCount = 4;
        }, stream => stream.ConfigureLifecycle(lifecycle => lifecycle.Configure(o => o.StartupState = StreamLifecycleOptions.RunState.AgentsStopped))));
    using var host = builder.Build();
    await host.StartAsync();
    try
    {
        var client = host.Services.GetRequiredService<IClusterClient>();
        var publishOnly = await RunPublishOnlyAsync(client.GetStreamProvider(BenchmarkStreams.PublishOnlyProviderName), users);
        var provider = client.GetStreamProvider(BenchmarkStreams.ProviderName);
        // Warm-up: activates every subscriber grain and the producer so the run measures steady state.
        LatencyLog.Reset(UserCount);
        await Task.WhenAll(users.Select(user => provider.GetStream<BenchmarkEvent>(StreamId.Create(BenchmarkStreams.Namespace, user))
            .OnNextAsync(BenchmarkEvent.Create(user, 0, Stopwatch.GetTimestamp()))));
        await WaitForAsync(() => LatencyLog.Count >= UserCount, deliveryTimeout);

        LatencyLog.Reset(EventCount);
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        await PublishAllAsync(provider, users);
        var published = Stopwatch.GetElapsedTime(started);
        await WaitForAsync(() => LatencyLog.Count >= EventCount, deliveryTimeout);
        var endToEnd = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuStart;
        // CPU covers publishing, consuming and delivering to subscribers: the whole path of an event.
        var saturated = new RunResult(EventCount / published.TotalSeconds, cpu.TotalMicroseconds / EventCount, published, endToEnd,
            LatencyLog.PercentileMs(50), LatencyLog.PercentileMs(99));

        LatencyLog.Reset(PacedEventCount);
        var interval = TimeSpan.FromSeconds((double)PacedUserCount / PacedRatePerSecond);
        var pacedStarted = Stopwatch.GetTimestamp();
        await Task.WhenAll(users.Take(PacedUserCount).Select(async user =>
        {
            await Task.Yield();
            var stream = provider.GetStream<BenchmarkEvent>(StreamId.Create(BenchmarkStreams.Namespace, user));
            using var timer = new PeriodicTimer(interval);
            for (var sequence = 1; sequence <= PacedEventCount / PacedUserCount; sequence++)
            {
                await timer.WaitForNextTickAsync();
                await stream.OnNextAsync(BenchmarkEvent.Create(user, EventsPerUser + sequence, Stopwatch.GetTimestamp()));
            }
        }));
        await WaitForAsync(() => LatencyLog.Count >= PacedEventCount, deliveryTimeout);
        var pacedElapsed = Stopwatch.GetElapsedTime(pacedStarted);
        var paced = new RunResult(PacedEventCount / pacedElapsed.TotalSeconds, 0, pacedElapsed, pacedElapsed, LatencyLog.PercentileMs(50), LatencyLog.PercentileMs(99));
        return (publishOnly, saturated, paced);
    }
    finally
    {
        await host.StopAsync();
    }
}

static async Task<RunResult> RunPublishOnlyAsync(IStreamProvider provider, string[] users)
{
    var process = Process.GetCurrentProcess();
    var cpuStart = process.TotalProcessorTime;
    var started = Stopwatch.GetTimestamp();
    await PublishAllAsync(provider, users);
    var elapsed = Stopwatch.GetElapsedTime(started);
    process.Refresh();
    return new RunResult(EventCount / elapsed.TotalSeconds, (process.TotalProcessorTime - cpuStart).TotalMicroseconds / EventCount, elapsed, elapsed);
}

// Every user publishes its events in order, awaiting each (as a grain publishing from its outbox would).
static Task PublishAllAsync(IStreamProvider provider, string[] users) =>
    Task.WhenAll(users.Select(async user =>
    {
        await Task.Yield();
        var stream = provider.GetStream<BenchmarkEvent>(StreamId.Create(BenchmarkStreams.Namespace, user));
        for (var sequence = 1; sequence <= EventsPerUser; sequence++)
        {
            await stream.OnNextAsync(BenchmarkEvent.Create(user, sequence, Stopwatch.GetTimestamp()));
        }
    }));

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

internal sealed record RunResult(double Rate, double CpuUsPerEvent, TimeSpan Elapsed, TimeSpan EndToEnd, double LatencyP50Ms = 0, double LatencyP99Ms = 0);
