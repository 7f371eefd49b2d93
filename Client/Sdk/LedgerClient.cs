using System.Globalization;
using System.Numerics;
using OrleansWallet.Api.Ledger.V1;

namespace OrleansWallet.Client;

/// <summary>
/// The ledger API: journal history, reconciliation, outbox status, and the reference data that
/// withdrawals are checked against (user KYC tier, per-tier daily limits, address allow-lists).
/// Refusals throw <see cref="WalletApiException"/> subclasses; Postgres being down is a
/// <see cref="ServiceUnavailableException"/> with reason <c>ledger_unavailable</c>.
/// </summary>
public sealed class LedgerClient
{
    private readonly WalletChannel _channel;
    private readonly LedgerService.LedgerServiceClient _grpc;

    internal LedgerClient(WalletChannel channel)
    {
        _channel = channel;
        _grpc = new LedgerService.LedgerServiceClient(channel.Invoker);
    }

    /// <summary>A page of the user's journal entries, newest first (<paramref name="pageSize"/> 1..500).</summary>
    public Task<LedgerHistoryPage> GetHistoryAsync(string userId, string? asset = null, int pageSize = 50, string? pageToken = null,
        CancellationToken cancellationToken = default) =>
        ErrorTranslation.Translate(async () =>
        {
            var reply = await _grpc.GetHistoryAsync(new GetHistoryRequest
            {
                UserId = userId, Asset = asset ?? "", PageSize = pageSize, PageToken = pageToken ?? "",
            }, Options(cancellationToken));
            return new LedgerHistoryPage(
                reply.Entries.Select(e => new LedgerEntryInfo(e.EntryId, e.OperationId, e.Kind, e.UserId, e.Asset, e.Bucket,
                    BigInteger.Parse(e.Amount, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                    e.CreatedAt.ToDateTimeOffset())).ToList(),
                reply.NextPageToken.Length == 0 ? null : reply.NextPageToken);
        });

    /// <summary>Every difference between wallet balances and the journal; run it at a quiescent point.</summary>
    public Task<ReconciliationReport> ReconcileAsync(CancellationToken cancellationToken = default) =>
        ErrorTranslation.Translate(async () =>
        {
            var reply = await _grpc.ReconcileAsync(new ReconcileRequest(), Options(cancellationToken));
            return new ReconciliationReport(reply.WalletsChecked,
                reply.Differences.Select(d => new LedgerDifference(d.UserId, d.Asset, d.Bucket,
                    BigInteger.Parse(d.WalletAmount, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                    BigInteger.Parse(d.LedgerAmount, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))).ToList(),
                reply.OutboxEntries, reply.PendingTransfers,
                reply.UncheckedWallets.Select(u => new UncheckedWallet(u.UserId, u.Reason)).ToList());
        });

    public Task<LedgerStatus> GetStatusAsync(string userId, CancellationToken cancellationToken = default) =>
        ErrorTranslation.Translate(async () =>
        {
            var reply = await _grpc.GetLedgerStatusAsync(new GetLedgerStatusRequest { UserId = userId }, Options(cancellationToken));
            return new LedgerStatus(reply.UserId, reply.OutboxEntries, reply.PendingWithdrawalUpdates, reply.PendingTransfers,
                reply.Rejection.Length == 0 ? null : reply.Rejection);
        });

    /// <summary>Registers the user (or changes their tier); withdrawals of unknown users are refused.</summary>
    public Task UpsertUserAsync(string userId, int kycTier, CancellationToken cancellationToken = default) =>
        ErrorTranslation.Translate(async () =>
            await _grpc.UpsertUserAsync(new UpsertUserRequest { UserId = userId, KycTier = kycTier }, Options(cancellationToken)));

    /// <summary>Sets a tier's daily withdrawal limit for an asset, in base units (0 forbids withdrawing it).</summary>
    public Task SetTierLimitAsync(int kycTier, string asset, BigInteger dailyLimit, CancellationToken cancellationToken = default) =>
        ErrorTranslation.Translate(async () =>
            await _grpc.SetTierLimitAsync(new SetTierLimitRequest
            {
                KycTier = kycTier, Asset = asset, DailyLimit = dailyLimit.ToString(CultureInfo.InvariantCulture),
            }, Options(cancellationToken)));

    /// <summary>Allows withdrawals of the user to the address on the chain (the address must be valid for it).</summary>
    public Task AddToAllowlistAsync(string userId, string chain, string address, CancellationToken cancellationToken = default) =>
        ErrorTranslation.Translate(async () =>
            await _grpc.AddToAllowlistAsync(new AddToAllowlistRequest { UserId = userId, Chain = chain, Address = address },
                Options(cancellationToken)));

    private Grpc.Core.CallOptions Options(CancellationToken cancellationToken) => _channel.CallOptions(cancellationToken);
}
