using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansWallet.Ledger.Hosting;
using OrleansWallet.Ledger.Resilience;
using OrleansWallet.Silo.Hosting;
using OrleansWallet.Streaming.Kafka;
using StackExchange.Redis;

namespace OrleansWallet.Silo.Observability;

/// <summary>
/// Ready while this silo is an active member of the cluster and the host is not stopping: a
/// silo that is joining, leaving or declared dead cannot host grains.
/// </summary>
internal sealed class SiloMembershipHealthCheck(ISiloStatusOracle oracle, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Stopping: say so at once, so load balancers stop sending calls while in-flight ones finish.
        if (lifetime.ApplicationStopping.IsCancellationRequested)
            return Task.FromResult(HealthCheckResult.Unhealthy("silo is shutting down"));
        return Task.FromResult(oracle.CurrentStatus == SiloStatus.Active
            ? HealthCheckResult.Healthy("active cluster member")
            : HealthCheckResult.Unhealthy($"silo is {oracle.CurrentStatus}"));
    }
}

/// <summary>
/// The Redis that holds grain state, membership and reminders answers a PING. Without it no
/// money operation can be served, so this check fails readiness. Its own small connection (the
/// Orleans providers do not expose theirs); a result is reused for <see cref="ResultTtl"/> so
/// probes on every service cost one PING a second at most.
/// </summary>
internal sealed class RedisHealthCheck(IConfiguration configuration) : IHealthCheck, IAsyncDisposable
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ResultTtl = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private Task<ConnectionMultiplexer>? _connection;
    private (long At, HealthCheckResult Result)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_last is { } last && Stopwatch.GetElapsedTime(last.At) < ResultTtl) return last.Result;
        HealthCheckResult result;
        try
        {
            var connection = await Connection().WaitAsync(PingTimeout, cancellationToken);
            var latency = await connection.GetDatabase().PingAsync().WaitAsync(PingTimeout, cancellationToken);
            result = HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:0.0} ms");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            result = new HealthCheckResult(context.Registration.FailureStatus, $"grain-state Redis unreachable: {ex.Message}");
        }
        _last = (Stopwatch.GetTimestamp(), result);
        return result;
    }

    private Task<ConnectionMultiplexer> Connection()
    {
        lock (_lock)
        {
            if (_connection is null || _connection.IsFaulted || _connection.IsCanceled)
            {
                var options = RedisHostOptions.From(configuration).ConnectionOptions("orleans-wallet-health");
                options.ConnectTimeout = (int)PingTimeout.TotalMilliseconds;
                // A probe must fail while Redis is away, not wait in a backlog for it to return.
                options.BacklogPolicy = BacklogPolicy.FailFast;
                _connection = ConnectionMultiplexer.ConnectAsync(options);
            }
            return _connection;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connection;
        lock (_lock) connection = _connection;
        if (connection is { IsCompletedSuccessfully: true }) await connection.Result.DisposeAsync();
    }
}

/// <summary>
/// The ledger's Postgres: usable once the schema is migrated (<see cref="LedgerStartupService"/>)
/// and while its circuit breaker is closed. Money operations do not need it, so for readiness it is
/// registered with failure status Degraded; for the ledger gRPC service's health, Unhealthy.
/// Reads state only: no query per probe.
/// </summary>
internal sealed class LedgerHealthCheck(LedgerPipelines pipelines, LedgerStartupService startup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!pipelines.SchemaGate.IsOpen)
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus,
                $"ledger schema not ready after {startup.FailedAttempts} attempt(s): {startup.LastError ?? "migrating"}"));
        var breaker = pipelines.Postgres.BreakerState;
        return Task.FromResult(breaker == BreakerState.Closed
            ? HealthCheckResult.Healthy("schema ready, circuit breaker closed")
            : new HealthCheckResult(context.Registration.FailureStatus, $"postgres circuit breaker {breaker}"));
    }
}

/// <summary>
/// Kafka (order events) reachable: the brokers answer a metadata request for the topic and
/// every partition has a leader. Order changes keep working while Kafka is away (events wait in
/// the order grains' outboxes), so readiness reports it as Degraded, never unready. A metadata
/// request per <see cref="ResultTtl"/> at most, one at a time.
/// </summary>
/// <remarks>
/// A cheap broker check only. When the Kafka provider exposes per-partition health (stuck
/// partition, dead letters), this is the class that should consult it.
/// </remarks>
internal sealed class KafkaHealthCheck(IConfiguration configuration, ILogger<KafkaHealthCheck> logger) : IHealthCheck, IDisposable
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ResultTtl = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Lazy<(IAdminClient Client, string Topic)> _admin = new(() => CreateAdmin(configuration, logger));
    private (long At, HealthCheckResult Result)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_last is { } last && Stopwatch.GetElapsedTime(last.At) < ResultTtl) return last.Result;
        // A request already running: its answer (or the previous one) is as good as a second request.
        if (!await _oneAtATime.WaitAsync(TimeSpan.Zero, cancellationToken))
            return _last?.Result ?? HealthCheckResult.Healthy("first Kafka check in progress");
        try
        {
            var result = await Task.Run(() => Probe(context.Registration.FailureStatus), cancellationToken);
            _last = (Stopwatch.GetTimestamp(), result);
            return result;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private HealthCheckResult Probe(HealthStatus failureStatus)
    {
        try
        {
            var (client, topic) = _admin.Value;
            var metadata = client.GetMetadata(topic, MetadataTimeout);
            var described = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
            if (described is null || described.Error.IsError)
                return new HealthCheckResult(failureStatus, $"topic {topic}: {described?.Error.Reason ?? "not in metadata"}");
            var leaderless = described.Partitions.Count(p => p.Leader < 0);
            return leaderless == 0 && described.Partitions.Count > 0
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s), topic {topic} with {described.Partitions.Count} partitions")
                : new HealthCheckResult(failureStatus, $"topic {topic}: {leaderless} of {described.Partitions.Count} partitions without a leader");
        }
        catch (KafkaException ex)
        {
            return new HealthCheckResult(failureStatus, $"Kafka unreachable: {ex.Error.Reason}");
        }
    }

    private static (IAdminClient, string) CreateAdmin(IConfiguration configuration, ILogger logger)
    {
        var options = new KafkaStreamOptions();
        configuration.GetSection(StreamingHosting.Section).Bind(options);
        var config = new AdminClientConfig { BootstrapServers = options.BootstrapServers };
        // The provider's client settings (security, for instance) apply to this client too.
        foreach (var (key, value) in options.ClientConfig) config.Set(key, value);
        config.Set("allow.auto.create.topics", "false");
        var client = new AdminClientBuilder(config)
            // An unreachable broker is reported by the check; librdkafka's own retries are noise.
            .SetLogHandler((_, message) => logger.LogDebug("librdkafka {Facility}: {Message}", message.Facility, message.Message))
            .SetErrorHandler((_, error) => logger.LogDebug("librdkafka error: {Reason}", error.Reason))
            .Build();
        return (client, options.Topic);
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated) _admin.Value.Client.Dispose();
        _oneAtATime.Dispose();
    }
}
