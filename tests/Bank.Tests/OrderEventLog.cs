using System.Text.Json;
using Confluent.Kafka;

namespace OrleansWallet.Bank.Tests;

/// <summary>
/// Reads the order-event topic from the beginning for the whole run with a plain Confluent.Kafka
/// consumer (what a consumer knowing nothing of Orleans sees), while the run produces: the mock
/// broker keeps only about 100k messages per partition (shared FACTS).
/// </summary>
public sealed class OrderEventLog : IDisposable
{
    public sealed record Record(int Partition, long Offset, string? Key, string EventId, string Type, string UserId, string OrderId,
        long Sequence, string Status);

    private readonly IConsumer<string, string> _consumer;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Record> _records = [];
    private readonly Task _reading;
    private int _unreadable;

    private OrderEventLog(string bootstrapServers, string topic, int partitions)
    {
        _consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "bank-test-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
        }).Build();
        _consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        _reading = Task.Factory.StartNew(Read, TaskCreationOptions.LongRunning);
    }

    public static OrderEventLog Start(string bootstrapServers, string topic, int partitions) => new(bootstrapServers, topic, partitions);

    /// <summary>Messages on the topic that are not order events (the fixture's warm-up message is one).</summary>
    public int Unreadable => Volatile.Read(ref _unreadable);

    public IReadOnlyList<Record> Snapshot()
    {
        lock (_records) return _records.ToList();
    }

    private void Read()
    {
        while (!_stop.IsCancellationRequested)
        {
            ConsumeResult<string, string>? message;
            try
            {
                message = _consumer.Consume(TimeSpan.FromMilliseconds(200));
            }
            catch (ConsumeException)
            {
                continue; // the mock broker is never faulted here; a transient read error is retried
            }
            if (message?.Message is null) continue;
            var record = Parse(message);
            if (record is null) Interlocked.Increment(ref _unreadable);
            else lock (_records) _records.Add(record);
        }
    }

    private static Record? Parse(ConsumeResult<string, string> message)
    {
        try
        {
            var json = JsonDocument.Parse(message.Message.Value).RootElement;
            return new Record(message.Partition.Value, message.Offset.Value, message.Message.Key,
                json.GetProperty("eventId").GetString()!, json.GetProperty("type").GetString()!,
                json.GetProperty("userId").GetString()!, json.GetProperty("orderId").GetString()!,
                json.GetProperty("sequence").GetInt64(), json.GetProperty("payload").GetProperty("status").GetString()!);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _reading.Wait(TimeSpan.FromSeconds(5));
        _consumer.Close();
        _consumer.Dispose();
    }
}
