using StackExchange.Redis;
using System.ComponentModel.DataAnnotations;

namespace OrleansWallet.Silo.Hosting;

/// <summary>
/// Where this silo listens and which cluster it joins (configuration section <c>Silo</c>, or
/// environment variables such as <c>Silo__GrpcPort</c>).
/// </summary>
public sealed class SiloHostOptions
{
    public const string Section = "Silo";

    [Required(ErrorMessage = "Silo:ClusterId is required")]
    public string ClusterId { get; set; } = "orleans-wallet";

    [Required(ErrorMessage = "Silo:ServiceId is required")]
    public string ServiceId { get; set; } = "orleans-wallet";

    /// <summary>Silo-to-silo port.</summary>
    [Range(1, 65535, ErrorMessage = "Silo:SiloPort must be 1-65535")]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans client gateway port.</summary>
    [Range(1, 65535, ErrorMessage = "Silo:GatewayPort must be 1-65535")]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>gRPC API (HTTP/2 without TLS: terminate TLS at the ingress).</summary>
    [Range(1, 65535, ErrorMessage = "Silo:GrpcPort must be 1-65535")]
    public int GrpcPort { get; set; } = 5000;

    /// <summary>HTTP/1.1 for operators: /health/live, /health/ready, /metrics, /dashboard.</summary>
    [Range(1, 65535, ErrorMessage = "Silo:HttpPort must be 1-65535")]
    public int HttpPort { get; set; } = 8080;

    /// <summary>The address other silos reach this one at; loopback for a local cluster.</summary>
    [Required(ErrorMessage = "Silo:AdvertisedIp is required")]
    public string AdvertisedIp { get; set; } = "127.0.0.1";

    /// <summary>The address the gRPC and HTTP ports bind to.</summary>
    [Required(ErrorMessage = "Silo:ListenIp is required")]
    public string ListenIp { get; set; } = "127.0.0.1";

    /// <summary>
    /// How long a grain call may wait for its answer. Orleans' 30 s default would stall callers
    /// for half a minute behind a dead silo; 5 s is far above any healthy call here.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Silo:ResponseTimeout must be 1 s to 1 min")]
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a silo may fail to answer membership probes before it is declared dead (its
    /// grains then re-activate elsewhere).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:01:00", ErrorMessage = "Silo:ProbeTimeout must be 0.5 s to 1 min")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most a stop may take before what is left is abandoned (the host's shutdown timeout). A
    /// normal stop takes 1-2 s; keep this below the pod's termination grace period minus its preStop pause.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Silo:ShutdownTimeout must be 1 s to 5 min")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>Redis endpoints (section <c>Redis</c>): grain state, membership, reminders.</summary>
public sealed class RedisHostOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,abortConnect=false</c>.</summary>
    [Required(ErrorMessage = "Redis:ConnectionString is required")]
    public string ConnectionString { get; set; } = "127.0.0.1:6379";

    /// <summary>
    /// The durability the balances need from Redis: <c>always</c> (fsync before every
    /// acknowledgement), <c>everysec</c>, <c>no</c>, or <c>any</c> (do not check). At start the silo
    /// reads the server's appendonly/appendfsync and warns if they are weaker.
    /// </summary>
    [RegularExpression("^(always|everysec|no|any)$", ErrorMessage = "Redis:ExpectedAppendFsync must be always, everysec, no or any")]
    public string ExpectedAppendFsync { get; set; } = "always";

    public static RedisHostOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<RedisHostOptions>() ?? new RedisHostOptions();

    /// <summary>
    /// What every connection of the silo to this Redis starts from: it keeps retrying a Redis that
    /// is restarting instead of failing, and its socket I/O completes on the .NET thread pool, not
    /// on StackExchange.Redis' own dedicated threads (on two cores the hand-over to those threads
    /// was the largest single cost of a write in the profile; README: Benchmark).
    /// </summary>
    public ConfigurationOptions ConnectionOptions(string? clientName = null)
    {
        var options = ConfigurationOptions.Parse(ConnectionString);
        options.AbortOnConnectFail = false;
        options.SocketManager = SocketManager.ThreadPool;
        if (clientName is not null) options.ClientName = clientName;
        return options;
    }
}
