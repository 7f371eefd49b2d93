using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.TypeSystem;
using Orleans.Streams;

namespace OrleansWallet.Streaming.Kafka.Tests;

/// <summary>
/// The provider's adapter used without any silo or client, to publish while the cluster is down.
/// </summary>
internal sealed class StandalonePublisher : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly KafkaQueueAdapterFactory _factory;
    private readonly Lazy<Task<IQueueAdapter>> _adapter;

    public StandalonePublisher(KafkaStreamOptions options)
    {
        _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        _factory = new KafkaQueueAdapterFactory(
            TestStreams.ProviderName, options, JsonKafkaStreamEventSerializer.Default,
            _services.GetRequiredService<TypeConverter>(), TimeProvider.System, NullLoggerFactory.Instance);
        _adapter = new Lazy<Task<IQueueAdapter>>(_factory.CreateAdapter);
    }

    public async Task PublishAsync(WalletTestEvent streamEvent)
    {
        var adapter = await _adapter.Value;
        await adapter.QueueMessageBatchAsync(StreamId.Create(TestStreams.Namespace, streamEvent.UserId), [streamEvent], null, null);
    }

    public void Dispose()
    {
        _factory.Dispose();
        _services.Dispose();
    }
}
