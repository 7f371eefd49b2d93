using System.ComponentModel.DataAnnotations;

namespace OrleansWallet.Silo.Observability;

/// <summary>Where the operator surfaces (<c>/metrics</c>, <c>/dashboard</c>) are served.</summary>
public enum OperatorListener
{
    /// <summary>On the silo's HTTP port (<c>Silo:HttpPort</c>), behind basic credentials.</summary>
    Http,

    /// <summary>
    /// On a port of their own (<see cref="OperationsOptions.InternalPort"/>) bound to
    /// <see cref="OperationsOptions.InternalListenIp"/> (loopback by default); credentials are
    /// asked only if a password is configured.
    /// </summary>
    Internal,
}

/// <summary>
/// Settings of the operator surfaces (section <c>Operations</c>, e.g. <c>Operations__Password</c>).
/// Health endpoints are not among them: probes reach <c>/health/*</c> without credentials.
/// </summary>
public sealed class OperationsOptions
{
    public const string Section = "Operations";

    public OperatorListener Listener { get; set; } = OperatorListener.Http;

    [Range(1, 65535, ErrorMessage = "Operations:InternalPort must be 1-65535")]
    public int InternalPort { get; set; } = 9090;

    [Required(ErrorMessage = "Operations:InternalListenIp is required")]
    public string InternalListenIp { get; set; } = "127.0.0.1";

    /// <summary>User name for basic authentication.</summary>
    [Required(ErrorMessage = "Operations:Username is required")]
    [StringLength(CredentialLengthMax, ErrorMessage = "Operations:Username is too long")]
    public string Username { get; set; } = "operator";

    /// <summary>
    /// Password for basic authentication. Unset: on the HTTP listener every request to the
    /// operator surfaces is refused (401); never logged.
    /// </summary>
    [StringLength(CredentialLengthMax, ErrorMessage = "Operations:Password is too long")]
    public string? Password { get; set; }

    /// <summary>A header longer than this is refused before any hashing: a bound on work per request.</summary>
    public const int CredentialLengthMax = 256;

    /// <summary>
    /// Whether the dashboard fills each silo's counters table. Off by default: the dashboard fills it
    /// by reading every instrument of Orleans' meter once a second, and two of those walk every
    /// activation and every directory-cache entry, so the silo pays CPU in proportion to the
    /// wallets it holds even when idle (40–60 ms a second per silo with 50,000 wallets, measured).
    /// Orleans' instruments are on <c>/metrics</c> (less a few, MetricsHosting says which); every other dashboard page is unaffected.
    /// </summary>
    public bool DashboardCounters { get; set; }

    public bool HasPassword => !string.IsNullOrEmpty(Password);

    /// <summary>Whether a request must present the credentials (always on the shared HTTP port).</summary>
    public bool RequiresCredentials => Listener == OperatorListener.Http || HasPassword;
}
