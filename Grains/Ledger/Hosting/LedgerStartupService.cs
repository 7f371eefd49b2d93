using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansWallet.Ledger.Postgres;
using OrleansWallet.Ledger.Schema;

namespace OrleansWallet.Ledger.Hosting;

/// <summary>
/// Brings the ledger up in the background: migrates the schema (or, with
/// <see cref="PostgresOptions.MigrateOnStartup"/> off, waits until someone else has), runs the
/// <see cref="ILedgerStartupTask"/>s, then opens the <see cref="LedgerSchemaGate"/>. Until then
/// every Postgres call fails fast as unavailable. The host does not wait for it: a silo started
/// while Postgres is down serves everything that needs no Postgres, and the ledger becomes ready
/// when Postgres comes back, without a restart. The host's start waits only for the first attempt
/// (bounded), so with Postgres up the ledger is ready before anything is served.
/// </summary>
public sealed class LedgerStartupService : IHostedService, IDisposable
{
    /// <summary>First retry after 1 s, doubling: a Postgres that restarts is caught within seconds.</summary>
    private static readonly TimeSpan RetryDelayFirst = TimeSpan.FromSeconds(1);

    /// <summary>At most 30 s between attempts: a long outage costs one connection attempt per 30 s.</summary>
    private static readonly TimeSpan RetryDelayMax = TimeSpan.FromSeconds(30);

    /// <summary>After the first warning, one reminder per 5 min while Postgres stays away.</summary>
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long the host's start waits for the first attempt: with Postgres up, the schema is in
    /// place before anything is served (as a synchronous migration would have it); with Postgres
    /// refusing connections the attempt fails at once; a black-holed Postgres costs this much.
    /// </summary>
    private static readonly TimeSpan FirstAttemptWaitMax = TimeSpan.FromSeconds(10);

    private readonly LedgerMigrator _migrator;
    private readonly LedgerSchemaGate _gate;
    private readonly IServiceProvider _services;
    private readonly PostgresOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LedgerStartupService> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _run = Task.CompletedTask;

    public LedgerStartupService(LedgerMigrator migrator, LedgerSchemaGate gate, IServiceProvider services,
        IOptions<PostgresOptions> options, TimeProvider time, ILogger<LedgerStartupService> logger)
    {
        _migrator = migrator;
        _gate = gate;
        _services = services;
        _options = options.Value;
        _time = time;
        _logger = logger;
        // Closed from construction, before any hosted service starts: nothing may reach Postgres
        // before the schema is known to be there.
        _gate.Close();
    }

    /// <summary>Attempts so far that failed (Postgres unreachable, or the schema not yet migrated by others).</summary>
    public int FailedAttempts { get; private set; }

    /// <summary>The last failure, for the readiness report; null once the ledger is ready.</summary>
    public string? LastError { get; private set; }

    /// <summary>Completes when the ledger is ready (or the host stops).</summary>
    public Task Completion => _run;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _run = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        try
        {
            await _firstAttempt.Task.WaitAsync(FirstAttemptWaitMax, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Postgres does not answer: the host starts anyway, the ledger follows when it does.
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _run.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = RetryDelayFirst;
        DateTimeOffset? lastWarning = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await BringUpAsync(cancellationToken);
                _gate.Open();
                _firstAttempt.TrySetResult();
                LastError = null;
                if (FailedAttempts > 0)
                    _logger.LogWarning("Ledger ready after {Attempts} failed attempt(s); Postgres calls are served again", FailedAttempts);
                else
                    _logger.LogInformation("Ledger ready");
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _firstAttempt.TrySetResult();
                return;
            }
            catch (Exception ex)
            {
                FailedAttempts++;
                LastError = ex.GetBaseException().Message;
                var now = _time.GetUtcNow();
                // One warning when it starts, then one per interval: an outage of hours must not flood the log.
                if (lastWarning is null || now - lastWarning >= WarningInterval)
                {
                    _logger.LogWarning(
                        "Ledger not ready ({Attempts} attempt(s)): {Error}. Withdrawals, history and reconcile answer " +
                        "ledger_unavailable meanwhile; retrying every {DelayMaxSeconds} s at most",
                        FailedAttempts, LastError, RetryDelayMax.TotalSeconds);
                    lastWarning = now;
                }
                else
                {
                    _logger.LogDebug(ex, "Ledger start-up attempt {Attempts} failed", FailedAttempts);
                }
                _firstAttempt.TrySetResult();
            }
            try
            {
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, RetryDelayMax.Ticks));
        }
    }

    private async Task BringUpAsync(CancellationToken cancellationToken)
    {
        if (_options.MigrateOnStartup)
            await _migrator.MigrateAsync(cancellationToken);
        else if (!await _migrator.IsSchemaCurrentAsync(cancellationToken))
            throw new InvalidOperationException("the ledger schema is not migrated yet (MigrateOnStartup is off: waiting for it)");

        using (_gate.AdmitStartupWork())
        {
            foreach (var task in _services.GetServices<ILedgerStartupTask>())
                await task.RunAsync(cancellationToken);
        }
    }

    public void Dispose() => _stopping.Dispose();
}
