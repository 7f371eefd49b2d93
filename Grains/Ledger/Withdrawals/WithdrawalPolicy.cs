using System.Numerics;
using OrleansWallet.Ledger.Addresses;
using OrleansWallet.Ledger.Journal;
using OrleansWallet.Ledger.Reference;

namespace OrleansWallet.Ledger.Withdrawals;

/// <summary>
/// Decides whether a withdrawal may go ahead: the asset exists and is enabled on that chain, the
/// destination is valid for the chain and on the user's allow-list, and the UTC day's pending
/// and completed withdrawals plus this one stay within the user's daily limit.
/// <see cref="CheckAsync"/> answers from the cache (fast, for validation before work);
/// <see cref="RecordWithdrawalAsync"/> decides again against Postgres and reserves the amount
/// against the limit, atomically; call it before holding the funds.
/// </summary>
public sealed class WithdrawalPolicy
{
    private readonly ReferenceData _referenceData;
    private readonly WithdrawalStore _store;
    private readonly TimeProvider _time;

    internal WithdrawalPolicy(ReferenceData referenceData, WithdrawalStore store, TimeProvider time)
    {
        _referenceData = referenceData;
        _store = store;
        _time = time;
    }

    public async Task<WithdrawalDecision> CheckAsync(string userId, string asset, BigInteger amount, string chain,
        string address, CancellationToken cancellationToken = default)
    {
        var (rejection, normalized) = await CheckAssetAndAddressAsync(asset, amount, chain, address, cancellationToken);
        if (rejection is not null) return rejection;

        var user = await _referenceData.GetUserAsync(userId, cancellationToken);
        if (user is null) return WithdrawalDecision.Rejected(WithdrawalRejection.UnknownUser, $"user '{userId}' is not registered");
        if (!await _referenceData.IsAllowlistedAsync(userId, chain, normalized!, cancellationToken))
            return WithdrawalDecision.Rejected(WithdrawalRejection.AddressNotAllowlisted,
                $"{address} is not on the user's {chain} allow-list");

        var limit = await _referenceData.GetDailyWithdrawalLimitAsync(user, asset, cancellationToken);
        var (dayStart, dayEnd) = UtcDay();
        // Today's total is never cached: it is money, and it changes with every withdrawal.
        var used = await _store.GetWithdrawnAsync(userId, asset, dayStart, dayEnd, cancellationToken);
        return WithdrawalLimit.Exceeded(limit, used, amount) ?? WithdrawalDecision.Allowed;
    }

    /// <summary>
    /// Checks as <see cref="CheckAsync"/> does and, if allowed, records the withdrawal as pending so
    /// it counts towards today's limit. Idempotent by <see cref="WithdrawalRequest.WithdrawalId"/>:
    /// a replay is allowed again and counted once.
    /// </summary>
    /// <exception cref="ArgumentException">The id was already used for a different withdrawal.</exception>
    public async Task<WithdrawalDecision> RecordWithdrawalAsync(WithdrawalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(request.WithdrawalId);
        if (request.WithdrawalId.Length > LedgerLimits.OperationIdLengthMax)
            throw new ArgumentException($"withdrawal id is longer than {LedgerLimits.OperationIdLengthMax}", nameof(request));
        var (rejection, normalized) = await CheckAssetAndAddressAsync(
            request.Asset, request.Amount, request.Chain, request.Address, cancellationToken);
        if (rejection is not null) return rejection;
        var (dayStart, dayEnd) = UtcDay();
        return await _store.TryRecordAsync(request, normalized!, _time.GetUtcNow(), dayStart, dayEnd, cancellationToken);
    }

    /// <summary>The withdrawal went out on chain; it keeps counting towards its day's limit.</summary>
    public Task CompleteWithdrawalAsync(string withdrawalId, CancellationToken cancellationToken = default) =>
        _store.FinishAsync(withdrawalId, "completed", _time.GetUtcNow(), cancellationToken);

    /// <summary>The withdrawal failed; its amount no longer counts towards the limit.</summary>
    public Task FailWithdrawalAsync(string withdrawalId, CancellationToken cancellationToken = default) =>
        _store.FinishAsync(withdrawalId, "failed", _time.GetUtcNow(), cancellationToken);

    private async Task<(WithdrawalDecision? Rejection, string? Normalized)> CheckAssetAndAddressAsync(
        string asset, BigInteger amount, string chain, string address, CancellationToken cancellationToken)
    {
        if (amount <= 0 || amount > LedgerLimits.AmountMax)
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "amount must be between 1 and 2^256-1 base units");
        var registered = await _referenceData.GetAssetAsync(asset, cancellationToken);
        if (registered is null)
            return (WithdrawalDecision.Rejected(WithdrawalRejection.UnknownAsset, $"asset '{asset}' is not registered"), null);
        if (!registered.Enabled)
            return (WithdrawalDecision.Rejected(WithdrawalRejection.AssetDisabled, $"asset '{asset}' is disabled"), null);
        if (registered.Chain != chain)
            return (WithdrawalDecision.Rejected(WithdrawalRejection.ChainMismatch,
                $"{asset} is withdrawn on {registered.Chain}, not {chain}"), null);
        var check = ChainAddresses.Check(chain, address);
        return check.IsValid
            ? (null, check.Normalized)
            : (WithdrawalDecision.Rejected(check.Rejection!, check.Detail!), null);
    }

    private (DateTimeOffset Start, DateTimeOffset End) UtcDay()
    {
        var now = _time.GetUtcNow();
        var start = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return (start, start.AddDays(1));
    }
}
