using System.ComponentModel.DataAnnotations;

namespace OrleansWallet.Common.PendingWork;

/// <summary>
/// How a silo's <see cref="PendingWorkSweeper"/> finishes work interrupted by a crash, for grains
/// nobody calls (a grain re-activated by any call finishes its own at once). Each kind of work
/// binds its own configuration section. Worst case after a crash: grace + interval.
/// </summary>
public abstract class PendingWorkOptions(string section) : IValidatableObject
{
    /// <summary>How often each silo looks for due grains in its shards of the index.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a grain stays in the index before a sweep wakes it. Live work finishes in
    /// milliseconds; the grace keeps sweeps off grains that are busy and lets one wake-up (a grain
    /// call and the removal) cover everything a grain started meanwhile. A minute, as the
    /// per-grain reminders' period was.
    /// </summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Grains read from a shard per Redis call.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Grains a silo's sweep wakes at once.</summary>
    public int Concurrency { get; set; } = 16;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SweepInterval < TimeSpan.FromMilliseconds(100) || SweepInterval > TimeSpan.FromHours(1))
            yield return new ValidationResult($"{section}:SweepInterval must be between 00:00:00.1 and 01:00:00", [nameof(SweepInterval)]);
        if (Grace < TimeSpan.Zero || Grace > TimeSpan.FromHours(1))
            yield return new ValidationResult($"{section}:Grace must be between 00:00:00 and 01:00:00", [nameof(Grace)]);
        if (BatchSize is < 1 or > 10_000)
            yield return new ValidationResult($"{section}:BatchSize must be between 1 and 10000", [nameof(BatchSize)]);
        if (Concurrency is < 1 or > 1_000)
            yield return new ValidationResult($"{section}:Concurrency must be between 1 and 1000", [nameof(Concurrency)]);
    }
}
