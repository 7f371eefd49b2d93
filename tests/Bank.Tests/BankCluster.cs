namespace OrleansWallet.Bank.Tests;

/// <summary>
/// The system under test: its own redis-server (append-only file, fsync on every write, so a kill -9
/// loses nothing acknowledged), PostgreSQL, Kafka mock, and silo processes in slots. A slot keeps
/// its addresses across a kill and a restart, as a pod behind a stable name would.
/// </summary>
public sealed class BankCluster : IAsyncDisposable
{
    public const string OrderEventsTopic = "order-events";

    /// <summary>The mock broker auto-creates topics with 4 partitions (it cannot create them on request).</summary>
    public const int OrderEventsPartitionCount = 4;

    private readonly List<SiloSlot> _slots = [];
    private readonly Dictionary<string, string?> _siloSettings;

    private BankCluster(RedisServer redis, PostgresServer postgres, KafkaMockCluster kafka, string ledgerConnectionString,
        TimeSpan postgresBreak)
    {
        Redis = redis;
        Postgres = postgres;
        Kafka = kafka;
        LedgerConnectionString = ledgerConnectionString;
        _siloSettings = new Dictionary<string, string?>(Credentials.SiloSettings)
        {
            ["Redis__ConnectionString"] = redis.Endpoint,
            ["Ledger__Postgres__ConnectionString"] = ledgerConnectionString,
            ["Ledger__Cache__RedisConfiguration"] = redis.Endpoint,
            ["Kafka__BootstrapServers"] = kafka.BootstrapServers,
            ["Kafka__PartitionCount"] = OrderEventsPartitionCount.ToString(),
            ["Kafka__Topic"] = OrderEventsTopic,
            ["Ledger__Resilience__Postgres__BreakDuration"] = postgresBreak.ToString("c"),
            // Three silos with up to 100 connections each stay inside the test server's 300.
            ["Ledger__Postgres__MaximumPoolSize"] = "60",
            ["Ledger__Postgres__MinimumPoolSize"] = "2",
        };
    }

    /// <summary>The signing key and API key the silos trust (authentication is always on).</summary>
    public TestCredentials Credentials { get; } = new();

    public RedisServer Redis { get; }
    public PostgresServer Postgres { get; }
    public KafkaMockCluster Kafka { get; }
    public string LedgerConnectionString { get; }
    public string ClusterId { get; } = "bank-" + Guid.NewGuid().ToString("N")[..8];
    public IReadOnlyList<SiloSlot> Slots => _slots;

    public static async Task<BankCluster> StartAsync(int silos, TimeSpan postgresBreak)
    {
        var redisStart = RedisServer.StartDurableAsync();
        var postgresStart = PostgresServer.StartNewAsync();
        var kafkaStart = KafkaMockCluster.StartAsync(OrderEventsTopic);
        try
        {
            await Task.WhenAll(redisStart, postgresStart, kafkaStart);
        }
        catch
        {
            if (redisStart.IsCompletedSuccessfully) await redisStart.Result.DisposeAsync();
            if (postgresStart.IsCompletedSuccessfully) await postgresStart.Result.DisposeAsync();
            if (kafkaStart.IsCompletedSuccessfully) await kafkaStart.Result.DisposeAsync();
            throw;
        }
        var postgres = postgresStart.Result;
        var ledger = await postgres.CreateDatabaseAsync("wallet");
        var cluster = new BankCluster(redisStart.Result, postgres, kafkaStart.Result, ledger, postgresBreak);
        try
        {
            // The first silo alone creates the schema; the others join after it.
            await cluster.AddSiloAsync();
            await Task.WhenAll(Enumerable.Range(1, silos - 1).Select(_ => cluster.AddSiloAsync()));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Starts a silo on new addresses in a new slot.</summary>
    public async Task<SiloSlot> AddSiloAsync()
    {
        SiloSlot slot;
        lock (_slots)
        {
            slot = new SiloSlot(_slots.Count);
            _slots.Add(slot);
        }
        slot.Process = await SiloProcess.StartAsync(ClusterId, _siloSettings);
        slot.History.Add(slot.Process);
        return slot;
    }

    public async ValueTask DisposeAsync()
    {
        // The run is over: no need to wait for graceful silo shutdowns.
        foreach (var slot in _slots)
            foreach (var process in slot.History)
            {
                await process.KillAsync();
                await process.DisposeAsync();
            }
        await Kafka.DisposeAsync();
        await Postgres.DisposeAsync();
        await Redis.DisposeAsync();
    }
}

/// <summary>One silo's place in the cluster: stable addresses, and every process that held them (for their logs).</summary>
public sealed class SiloSlot(int index)
{
    public int Index { get; } = index;

    /// <summary>The process now holding the slot's addresses; null while none is running.</summary>
    public SiloProcess? Process { get; set; }

    public List<SiloProcess> History { get; } = [];

    public bool Running => Process is { HasExited: false };

    public string GrpcAddress => (Process ?? History[^1]).GrpcAddress;

    public Task KillAsync() => Process?.KillAsync() ?? Task.CompletedTask;

    /// <summary>SIGTERM: the silo leaves the cluster and deactivates its grains.</summary>
    public async Task StopAsync()
    {
        if (Process is not null) await Process.StopAsync();
    }

    /// <summary>A new process on the slot's addresses; throws (and leaves the slot empty) if it does not become ready.</summary>
    public async Task RestartAsync()
    {
        var predecessor = History[^1];
        Process = null;
        Process = await SiloProcess.RestartAsync(predecessor);
        History.Add(Process);
    }
}
