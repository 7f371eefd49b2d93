using System.ComponentModel.DataAnnotations;

namespace OrleansWallet.Storage;

/// <summary>
/// The Redis the grains keep their side data in (the operation archive, deposit tx claims, the
/// wallet directory, users' order lists): the same Redis as grain state, under the service's prefix.
/// </summary>
public sealed class WalletRedisOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379,password=…</c>.</summary>
    [Required(ErrorMessage = "Redis:ConnectionString is required")]
    public string Configuration { get; set; } = "127.0.0.1:6379";

    /// <summary>Every key starts with this, e.g. <c>orleans-wallet/</c> (the service id), like Orleans' own <c>{ServiceId}/state/</c>.</summary>
    [Required(ErrorMessage = "the Redis key prefix is required")]
    public string KeyPrefix { get; set; } = "orleans-wallet/";
}
