using System.ComponentModel.DataAnnotations;

namespace OrleansWallet.Wallet.PendingTransfers;

/// <summary>
/// How the silos finish transfers interrupted between the debit and the credit (configuration
/// section <c>Wallet:PendingTransfers</c>). A wallet re-activated by any call finishes its own at
/// once; the sweep is for wallets nobody calls. Worst case after a crash: grace + interval.
/// </summary>
public sealed class PendingTransferOptions : IValidatableObject
{
    public const string Section = "Wallet:PendingTransfers";

    /// <summary>How often each silo looks for due wallets in its shards of the index.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a wallet stays in the index before a sweep wakes it. A live transfer finishes in
    /// milliseconds; the grace keeps sweeps off wallets that are busy and lets one wake-up (a grain
    /// call, often a state write that records delivered answers, and the removal) cover every
    /// transfer a wallet made meanwhile. A minute, as the per-wallet reminder's period was.
    /// </summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Wallets read from a shard per Redis call.</summary>
    [Range(1, 10_000, ErrorMessage = "Wallet:PendingTransfers:BatchSize must be between 1 and 10000")]
    public int BatchSize { get; set; } = 500;

    /// <summary>Wallets a silo's sweep wakes at once.</summary>
    [Range(1, 1_000, ErrorMessage = "Wallet:PendingTransfers:Concurrency must be between 1 and 1000")]
    public int Concurrency { get; set; } = 16;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SweepInterval < TimeSpan.FromMilliseconds(100) || SweepInterval > TimeSpan.FromHours(1))
            yield return new ValidationResult("Wallet:PendingTransfers:SweepInterval must be between 00:00:00.1 and 01:00:00", [nameof(SweepInterval)]);
        if (Grace < TimeSpan.Zero || Grace > TimeSpan.FromHours(1))
            yield return new ValidationResult("Wallet:PendingTransfers:Grace must be between 00:00:00 and 01:00:00", [nameof(Grace)]);
    }
}
