using System.Diagnostics;
using OrleansWallet.Ledger.Metrics;
using OrleansWallet.Ledger.Schema;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace OrleansWallet.Ledger.Resilience;

/// <summary>
/// Every call to one dependency goes through here: retry (transient only) around a circuit
/// breaker around a per-attempt timeout. Failures the caller can do nothing about come out as
/// <see cref="DependencyUnavailableException"/>; anything else (bad input, constraint
/// violations) comes out unchanged.
/// </summary>
public sealed class DependencyPipeline
{
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly LedgerMetrics _metrics;
    private readonly LedgerSchemaGate? _schemaGate;

    /// <param name="schemaGate">
    /// For Postgres: calls fail fast (not counted by the breaker) while the schema is not ready.
    /// </param>
    public DependencyPipeline(string dependency, DependencyResilienceOptions options, LedgerMetrics metrics,
        LedgerSchemaGate? schemaGate = null)
    {
        Dependency = dependency;
        _metrics = metrics;
        _schemaGate = schemaGate;
        var transient = new PredicateBuilder().Handle<Exception>(TransientFailures.IsTransient);
        var builder = new ResiliencePipelineBuilder();
        if (options.RetryCount > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = options.RetryCount,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                OnRetry = _ =>
                {
                    metrics.RecordRetry(dependency);
                    return default;
                },
            });
        }
        _pipeline = builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = options.FailureRatio,
                MinimumThroughput = options.MinimumThroughput,
                SamplingDuration = options.SamplingDuration,
                BreakDuration = options.BreakDuration,
                StateProvider = _breaker,
            })
            .AddTimeout(options.Timeout)
            .Build();
    }

    public string Dependency { get; }

    public BreakerState BreakerState => _breaker.CircuitState switch
    {
        CircuitState.Closed => BreakerState.Closed,
        CircuitState.HalfOpen => BreakerState.HalfOpen,
        _ => BreakerState.Open, // Open and Isolated both refuse calls.
    };

    /// <param name="operation">Short name for the latency metric, e.g. "journal.append".</param>
    public async ValueTask<T> ExecuteAsync<T>(string operation, Func<CancellationToken, ValueTask<T>> action,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (_schemaGate is { Admits: false })
        {
            _metrics.RecordDependencyCall(Dependency, operation, LedgerSchemaGate.NotReadyReason, TimeSpan.Zero);
            throw new DependencyUnavailableException(Dependency, LedgerSchemaGate.NotReadyReason);
        }
        var outcome = "error";
        try
        {
            var result = await _pipeline.ExecuteAsync(static (call, token) => call(token), action, cancellationToken);
            outcome = "ok";
            return result;
        }
        catch (BrokenCircuitException e)
        {
            outcome = DependencyUnavailableException.Reasons.CircuitOpen;
            throw new DependencyUnavailableException(Dependency, DependencyUnavailableException.Reasons.CircuitOpen, e);
        }
        catch (TimeoutRejectedException e)
        {
            outcome = DependencyUnavailableException.Reasons.Timeout;
            throw new DependencyUnavailableException(Dependency, DependencyUnavailableException.Reasons.Timeout, e);
        }
        catch (Exception e) when (TransientFailures.IsTransient(e) && !cancellationToken.IsCancellationRequested)
        {
            outcome = DependencyUnavailableException.Reasons.TransientFailure;
            throw new DependencyUnavailableException(Dependency, DependencyUnavailableException.Reasons.TransientFailure, e);
        }
        finally
        {
            _metrics.RecordDependencyCall(Dependency, operation, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    public async ValueTask ExecuteAsync(string operation, Func<CancellationToken, ValueTask> action,
        CancellationToken cancellationToken) =>
        await ExecuteAsync(operation, async token =>
        {
            await action(token);
            return true;
        }, cancellationToken);
}
