using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka;

/// <summary>
/// One Orleans queue per Kafka partition: a stream's queue is the partition the Java client's
/// partitioner picks for the stream key, so the receiver of that queue sees that stream's events in order.
/// </summary>
internal sealed class KafkaPartitionQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly QueueId[] _queues;

    public KafkaPartitionQueueMapper(string providerName, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        // Queues sit evenly on the hash ring, so the consistent-ring balancer's ranges split them evenly.
        var spacing = (ulong)uint.MaxValue / (ulong)partitionCount;
        _queues = new QueueId[partitionCount];
        for (var partition = 0; partition < partitionCount; partition++)
        {
            _queues[partition] = QueueId.GetQueueId(providerName, (uint)partition, (uint)(spacing * (ulong)partition));
        }
    }

    public int PartitionCount => _queues.Length;

    public IEnumerable<QueueId> GetAllQueues() => _queues;

    public QueueId GetQueueForStream(StreamId streamId) => _queues[PartitionFor(streamId)];

    public int PartitionFor(StreamId streamId) => KafkaPartitioner.PartitionFor(streamId.Key.Span, _queues.Length);

    public int PartitionOf(QueueId queueId)
    {
        var partition = (int)queueId.GetNumericId();
        if (partition >= _queues.Length || _queues[partition] != queueId)
        {
            throw new ArgumentException($"Queue {queueId} is not one of this provider's {_queues.Length} partition queues.", nameof(queueId));
        }

        return partition;
    }

    public IEnumerable<QueueId> GetQueuesForRange(IRingRange range) => _queues.Where(queue => range.InRange(queue.GetUniformHashCode()));
}
