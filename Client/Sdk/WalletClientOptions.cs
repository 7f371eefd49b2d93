namespace OrleansWallet.Client;

public sealed class WalletClientOptions
{
    /// <summary>The silo's gRPC endpoint, e.g. <c>http://127.0.0.1:5000</c> (HTTP/2 without TLS) or an https ingress.</summary>
    public Uri Address { get; set; } = new("http://127.0.0.1:5000");

    /// <summary>
    /// Deadline of one call including its retries. 10 s: twice the silo's grain response timeout,
    /// so a call behind a dead silo still gets one retry on a live one.
    /// </summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Attempts per call (gRPC retry policy; the same request, so the same idempotency key, is
    /// sent again). 5 is gRPC's own upper limit.
    /// </summary>
    public int MaxAttempts { get; set; } = 4;

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(2);
}
