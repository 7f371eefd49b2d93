using System.ComponentModel.DataAnnotations;

namespace OrleansWallet.Ledger.Reference;

/// <summary>
/// The Redis cache in front of reference data. TTLs follow the operations guide's tiers by how
/// often the data changes; every write through <see cref="ReferenceData"/> also deletes its key.
/// </summary>
public sealed class ReferenceCacheOptions
{
    public const string SectionName = "Cache";

    /// <summary>StackExchange.Redis configuration string, e.g. "127.0.0.1:6379".</summary>
    [Required(AllowEmptyStrings = false)]
    public string RedisConfiguration { get; set; } = "";

    /// <summary>Namespaces the keys so the cache can share a Redis with grain state.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[A-Za-z0-9:._-]{1,64}$")]
    public string KeyPrefix { get; set; } = "ow:ledger:";

    /// <summary>Daily withdrawal limits (tier and per-user): operators change them during the day.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan VolatileTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>User KYC tier and withdrawal allow-lists.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan StableTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The asset registry.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan ReferenceTtl { get; set; } = TimeSpan.FromHours(24);
}
