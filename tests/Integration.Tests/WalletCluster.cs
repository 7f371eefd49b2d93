using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using OrleansWallet.Client;

namespace OrleansWallet.Integration.Tests;

/// <summary>
/// A real cluster for a test: its own redis-server, PostgreSQL and Kafka-protocol broker, N silo
/// processes joined through Redis clustering, and SDK channels to the silos' gRPC endpoints.
/// </summary>
public sealed class WalletCluster : IAsyncDisposable
{
    private readonly List<SiloProcess> _silos = [];
    private readonly List<WalletChannel> _channels = [];
    private readonly List<GrpcChannel> _rawChannels = [];

    private WalletCluster(RedisServer redis, PostgresServer postgres, KafkaMockCluster kafka, string ledgerConnectionString, string clusterId,
        string? servicePassword)
    {
        ServicePassword = servicePassword;
        Redis = redis;
        Postgres = postgres;
        Kafka = kafka;
        LedgerConnectionString = ledgerConnectionString;
        ClusterId = clusterId;
    }

    public RedisServer Redis { get; }
    public PostgresServer Postgres { get; }
    public KafkaMockCluster Kafka { get; }
    public string LedgerConnectionString { get; }
    public string ClusterId { get; }

    /// <summary>The signing key and API key this cluster's silos trust (auth is always on).</summary>
    public TestCredentials Credentials { get; } = new();
    public IReadOnlyList<SiloProcess> Silos => _silos;

    /// <summary>The password Redis and PostgreSQL require, if the cluster was started with one; the silos get it in settings of its own.</summary>
    public string? ServicePassword { get; }

    /// <param name="servicePassword">If set, Redis and PostgreSQL require it, and the silos get it as
    /// <c>Redis__Password</c>, <c>Ledger__Cache__Password</c> and <c>Ledger__Postgres__Password</c>.</param>
    public static async Task<WalletCluster> StartAsync(int silos, IDictionary<string, string?>? settings = null, string? servicePassword = null)
    {
        var redis = await RedisServer.StartAsync(servicePassword);
        var postgres = await PostgresServer.StartNewAsync();
        var kafka = await KafkaMockCluster.StartAsync(OrderEventsTopic);
        var ledger = await postgres.CreateDatabaseAsync("wallet");
        if (servicePassword is not null) await postgres.RequirePasswordAsync(servicePassword);
        var cluster = new WalletCluster(redis, postgres, kafka, ledger, "test-" + Guid.NewGuid().ToString("N")[..8], servicePassword);
        try
        {
            await cluster.StartSilosAsync(silos, settings);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public async Task StartSilosAsync(int count, IDictionary<string, string?>? settings = null)
    {
        for (var i = 0; i < count; i++)
            _silos.Add(await SiloProcess.StartAsync(ClusterId, ServiceSettings(), settings));
    }

    /// <summary>Starts one more silo and returns before it is ready (see <see cref="SiloProcess.Launch"/>).</summary>
    public SiloProcess LaunchSilo()
    {
        var silo = SiloProcess.Launch(ClusterId, ServiceSettings());
        _silos.Add(silo);
        return silo;
    }

    /// <summary>Where the silos find their services.</summary>
    private Dictionary<string, string?> ServiceSettings()
    {
        var settings = new Dictionary<string, string?>(Credentials.SiloSettings)
        {
            ["Redis__ConnectionString"] = Redis.Endpoint,
            ["Ledger__Postgres__ConnectionString"] = LedgerConnectionString,
            ["Ledger__Cache__RedisConfiguration"] = Redis.Endpoint,
            ["Kafka__BootstrapServers"] = Kafka.BootstrapServers,
            // The mock broker auto-creates topics with 4 partitions (it cannot create them on request).
            ["Kafka__PartitionCount"] = OrderEventsPartitionCount.ToString(),
            ["Kafka__Topic"] = OrderEventsTopic,
            // /metrics and /dashboard answer only to these.
            ["Operations__Username"] = OperatorUser,
            ["Operations__Password"] = OperatorPassword,
        };
        if (ServicePassword is not null)
        {
            settings["Redis__Password"] = ServicePassword;
            settings["Ledger__Cache__Password"] = ServicePassword;
            settings["Ledger__Postgres__Password"] = ServicePassword;
        }
        return settings;
    }

    public const string OperatorUser = "operator";
    public const string OperatorPassword = "test-operator-password";

    public const string OrderEventsTopic = "order-events";
    public const int OrderEventsPartitionCount = 4;

    /// <summary>
    /// An SDK channel to silo <paramref name="index"/> as the fixtures' operator-and-admin principal
    /// (or with <paramref name="token"/> / <paramref name="apiKey"/>); short retries so tests of failure stay fast.
    /// </summary>
    public WalletChannel Channel(int index = 0, string? token = null, string? apiKey = null)
    {
        var channel = new WalletChannel(new WalletClientOptions
        {
            Address = new Uri(_silos[index].GrpcAddress),
            Deadline = TimeSpan.FromSeconds(15),
            BearerToken = apiKey is null ? token ?? Credentials.OperatorToken() : null,
            ApiKey = apiKey,
        });
        _channels.Add(channel);
        return channel;
    }

    /// <summary>
    /// A raw gRPC call invoker to silo <paramref name="index"/> (no SDK retries or translation) that
    /// sends <paramref name="token"/> (by default the operator-and-admin principal's; "" sends none)
    /// or, if given, <paramref name="apiKey"/> instead.
    /// </summary>
    public CallInvoker RawInvoker(int index = 0, string? token = null, string? apiKey = null)
    {
        var channel = GrpcChannel.ForAddress(_silos[index].GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = null });
        _rawChannels.Add(channel);
        var (header, value) = apiKey is not null ? ("x-api-key", apiKey)
            : (token ?? Credentials.OperatorToken()) is { Length: > 0 } bearer ? ("authorization", "Bearer " + bearer)
            : ("", "");
        return header.Length == 0
            ? channel.CreateCallInvoker()
            : channel.CreateCallInvoker().Intercept(headers =>
            {
                headers.Add(header, value);
                return headers;
            });
    }

    /// <summary>
    /// Replaces a silo (stopped or crashed) with a new process on the same addresses, as a
    /// restarted process would come back; <paramref name="overrides"/> change its settings.
    /// </summary>
    public async Task<SiloProcess> RestartSiloAsync(int index, IDictionary<string, string?>? overrides = null)
    {
        var old = _silos[index];
        await old.DisposeAsync();
        var successor = await SiloProcess.RestartAsync(old, overrides);
        _silos[index] = successor;
        return successor;
    }

    /// <summary>Stops all silos and starts each again on its own addresses.</summary>
    public async Task RestartAllSilosAsync()
    {
        foreach (var silo in _silos) await silo.StopAsync();
        for (var i = 0; i < _silos.Count; i++) await RestartSiloAsync(i);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels) channel.Dispose();
        foreach (var channel in _rawChannels) channel.Dispose();
        foreach (var silo in _silos) await silo.DisposeAsync();
        await Kafka.DisposeAsync();
        await Postgres.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
