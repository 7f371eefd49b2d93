using Microsoft.Extensions.Options;

namespace OrleansWallet.Silo.Security;

/// <summary>
/// Calls per second each caller may make to the gRPC API (section <c>RateLimits</c>): a token
/// bucket per caller (token subject or API key id; anonymous callers per IP address), sized by
/// the caller's most trusted role, or by an entry for the caller's name in <see cref="Principals"/>.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>A person's app: far above what one person does, low enough that a stolen token cannot flood the cluster.</summary>
    public BucketOptions User { get; set; } = new() { PermitsPerSecond = 200, Burst = 400 };

    /// <summary>
    /// Deposit indexers, settlement and executors: they speak for every user at once. 100,000/s
    /// is above what one cluster of this size serves, so the default never throttles them.
    /// </summary>
    public BucketOptions Operator { get; set; } = new() { PermitsPerSecond = 100_000, Burst = 100_000 };

    /// <summary>Reference-data changes are rare and made by people or deployment jobs.</summary>
    public BucketOptions Admin { get; set; } = new() { PermitsPerSecond = 100, Burst = 200 };

    /// <summary>Per client IP, for what answers without a credential (gRPC health and reflection).</summary>
    public BucketOptions Anonymous { get; set; } = new() { PermitsPerSecond = 50, Burst = 100 };

    /// <summary>
    /// Per named operator or admin caller (API key id or token subject): e.g.
    /// <c>RateLimits__Principals__loadgen__Unlimited=true</c>. Never applied to a <c>user</c>-only credential.
    /// </summary>
    public Dictionary<string, BucketOptions> Principals { get; set; } = new(StringComparer.Ordinal);
}

public sealed class BucketOptions
{
    /// <summary>No limit at all for this class of caller (a benchmark's principal); must be said explicitly.</summary>
    public bool Unlimited { get; set; }

    /// <summary>Sustained calls per second.</summary>
    public int PermitsPerSecond { get; set; }

    /// <summary>Calls that may come at once after a quiet spell (the bucket's size).</summary>
    public int Burst { get; set; }
}

public sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    /// <summary>A bucket bigger than this is a typo: use Unlimited.</summary>
    private const int PermitsMax = 10_000_000;

    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        void Check(string path, BucketOptions bucket)
        {
            if (bucket.Unlimited) return;
            if (bucket.PermitsPerSecond is < 1 or > PermitsMax) failures.Add($"{path}:PermitsPerSecond must be 1-{PermitsMax} (or set {path}:Unlimited=true)");
            if (bucket.Burst is < 1 or > PermitsMax) failures.Add($"{path}:Burst must be 1-{PermitsMax}");
        }
        Check("RateLimits:User", options.User);
        Check("RateLimits:Operator", options.Operator);
        Check("RateLimits:Admin", options.Admin);
        Check("RateLimits:Anonymous", options.Anonymous);
        foreach (var (principal, bucket) in options.Principals) Check($"RateLimits:Principals:{principal}", bucket);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
