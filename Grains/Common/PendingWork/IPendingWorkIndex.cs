namespace OrleansWallet.Common.PendingWork;

/// <summary>
/// The grains that may hold work they started and have not finished (a transfer's credit leg, an
/// order's wallet step or event). A grain enters itself before it records such work, so a crash
/// between that write and the finish always leaves it here, and only the grain takes itself out,
/// once it has nothing left. Each silo's <see cref="PendingWorkSweeper"/> wakes the grains that
/// stayed in longer than a grace period. One entry per grain, whatever its amount of work.
/// </summary>
public interface IPendingWorkIndex
{
    /// <summary>Enters the grain (again), due for a sweep after the grace period. A failure means the work must not be recorded.</summary>
    Task AddAsync(string id);

    /// <summary>Keeps the grain in, due for a sweep a grace period from now: its work could not all be finished yet.</summary>
    Task PostponeAsync(string id);

    /// <summary>Takes the grain out: called by the grain itself, in a turn no recording can interleave with, when it holds no work.</summary>
    Task RemoveAsync(string id);

    /// <summary>Up to <paramref name="count"/> grains of the shard that entered (or were postponed) before <paramref name="dueBefore"/>, oldest first.</summary>
    Task<IReadOnlyList<string>> DueAsync(int shard, DateTimeOffset dueBefore, int count);
}
