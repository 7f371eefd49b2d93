using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using OrleansWallet.Api.Ledger.V1;
using OrleansWallet.Assets;
using OrleansWallet.Ledger.Reference;
using OrleansWallet.Silo.Ledger;
using OrleansWallet.Silo.Security;
using OrleansWallet.Wallet;
using JournalEntry = OrleansWallet.Ledger.Journal.LedgerEntry;
using LedgerJournal = OrleansWallet.Ledger.Journal.LedgerJournal;

namespace OrleansWallet.Silo.Grpc;

/// <summary>
/// The ledger API: history from the journal, reconciliation, outbox status, and the reference
/// data withdrawals are checked against. Each call first checks the caller may do it
/// (<see cref="AccessRules"/>). Postgres outages surface as Unavailable /
/// <c>ledger_unavailable</c> (ErrorMappingInterceptor).
/// </summary>
[BindServiceMethod(typeof(LedgerService), nameof(BindService))]
public sealed class LedgerService(
    IGrainFactory grains, AssetCatalog assets, LedgerJournal journal, ReferenceData referenceData, WalletReconciler reconciler)
    : Api.Ledger.V1.LedgerService.LedgerServiceBase
{
    /// <summary>Binds the generated service with strict request parsing (<see cref="StrictRequestParsing"/>).</summary>
    public static void BindService(ServiceBinderBase binder, Api.Ledger.V1.LedgerService.LedgerServiceBase service) =>
        Api.Ledger.V1.LedgerService.BindService(new StrictRequestParsing(binder), service);

    /// <summary>50 entries: a screenful; callers ask for up to the journal's 500.</summary>
    private const int HistoryPageSizeDefault = 50;

    /// <summary>
    /// KYC tiers 0..9: far more than any KYC scheme has, few enough to catch a typo, and what the
    /// schema's CHECK allows (10 passed here once and failed in Postgres as Internal: found by the fuzz test).
    /// </summary>
    private const int KycTierMax = 9;

    /// <summary>Chain names as the asset configuration spells them.</summary>
    private const int ChainLengthMax = 32;

    public override async Task<GetHistoryReply> GetHistory(GetHistoryRequest request, ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.ReadHistory, request.UserId);
        var userId = Identifiers.RequireUserId(request.UserId);
        var asset = request.Asset.Length == 0 ? null : assets.Require(request.Asset, "asset").Symbol;
        var pageSize = request.PageSize == 0 ? HistoryPageSizeDefault : request.PageSize;
        // Checked before the flush below, so a refused request activates and changes no wallet.
        if (pageSize is < 1 or > OrleansWallet.Ledger.Journal.LedgerLimits.HistoryPageSizeMax)
            throw new WalletException(ErrorCodes.FieldMalformed,
                $"page_size must be between 1 and {OrleansWallet.Ledger.Journal.LedgerLimits.HistoryPageSizeMax}");
        if (request.PageToken.Length == 0)
        {
            // The user's own wallet writes its outbox first, so a first page shows every
            // acknowledged operation of theirs (also after a crash left entries in a wallet that
            // has not re-activated since). Payers' outboxes holding this user's transfer legs are not
            // visited: they drain within a flush period.
            await grains.GetGrainByKey<IWalletGrain>(userId).FlushLedger();
        }
        var page = await journal.GetHistoryAsync(userId, asset, pageSize,
            request.PageToken.Length == 0 ? null : request.PageToken, context.CancellationToken);
        var reply = new GetHistoryReply { NextPageToken = page.NextPageToken ?? "" };
        reply.Entries.AddRange(page.Entries.Select(ToProto));
        return reply;
    }

    public override async Task<ReconcileReply> Reconcile(ReconcileRequest request, ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.Reconcile);
        var report = await reconciler.ReconcileAsync(context.CancellationToken);
        var reply = new ReconcileReply
        {
            WalletsChecked = report.WalletsChecked,
            OutboxEntries = report.OutboxEntries,
            PendingTransfers = report.PendingTransfers,
        };
        reply.Differences.AddRange(report.Differences.Select(d => new Api.Ledger.V1.BalanceDifference
        {
            UserId = d.UserId,
            Asset = d.Asset,
            Bucket = d.Bucket,
            WalletAmount = d.WalletAmount.ToString(CultureInfo.InvariantCulture),
            LedgerAmount = d.LedgerAmount.ToString(CultureInfo.InvariantCulture),
        }));
        reply.UncheckedWallets.AddRange(report.Unchecked.Select(u => new Api.Ledger.V1.UncheckedWallet { UserId = u.UserId, Reason = u.Reason }));
        return reply;
    }

    public override async Task<LedgerStatusReply> GetLedgerStatus(GetLedgerStatusRequest request, ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.ReadLedgerStatus, request.UserId);
        var userId = Identifiers.RequireUserId(request.UserId);
        var status = await grains.GetGrainByKey<IWalletGrain>(userId).GetLedgerStatus();
        return new LedgerStatusReply
        {
            UserId = userId,
            OutboxEntries = status.OutboxEntries,
            PendingWithdrawalUpdates = status.PendingWithdrawalUpdates,
            PendingTransfers = status.PendingTransfers,
            Rejection = status.Rejection ?? "",
        };
    }

    public override async Task<AdminReply> UpsertUser(UpsertUserRequest request, ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.UpsertUser, request.UserId);
        var userId = Identifiers.RequireUserId(request.UserId);
        await referenceData.UpsertUserAsync(new UserProfile(userId, RequireTier(request.KycTier)), context.CancellationToken);
        return new AdminReply();
    }

    public override async Task<AdminReply> SetTierLimit(SetTierLimitRequest request, ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.SetTierLimit);
        var tier = RequireTier(request.KycTier);
        var asset = assets.Require(request.Asset, "asset").Symbol;
        // Zero is a valid limit: withdrawals of the asset are forbidden for the tier.
        var limit = Money.Amount.Parse(request.DailyLimit, "daily_limit", requirePositive: false);
        await referenceData.SetTierLimitAsync(tier, asset, limit.Value, context.CancellationToken);
        return new AdminReply();
    }

    public override async Task<AdminReply> AddToAllowlist(AddToAllowlistRequest request, ServerCallContext context)
    {
        AccessRules.Require(Caller.Of(context), ApiOperation.AddToAllowlist, request.UserId);
        var userId = Identifiers.RequireUserId(request.UserId);
        var chain = request.Chain;
        if (chain.Length == 0 || chain.Length > ChainLengthMax || !assets.All.Any(a => a.Chain == chain))
            throw new WalletException(ErrorCodes.FieldMalformed,
                $"chain must be one of the configured assets' chains: {string.Join(", ", assets.All.Select(a => a.Chain).Distinct())}");
        if (request.Address.Length is 0 or > WalletAccount.AddressLengthMax)
            throw new WalletException(ErrorCodes.FieldMalformed, $"address must be 1..{WalletAccount.AddressLengthMax} characters");
        // An address invalid for the chain is an ArgumentException naming why: InvalidArgument.
        await referenceData.AddToAllowlistAsync(userId, chain, request.Address, context.CancellationToken);
        return new AdminReply();
    }

    private static int RequireTier(int tier) => tier is >= 0 and <= KycTierMax
        ? tier
        : throw new WalletException(ErrorCodes.FieldMalformed, $"kyc_tier must be between 0 and {KycTierMax}");

    private static Api.Ledger.V1.LedgerEntry ToProto(JournalEntry entry) => new()
    {
        EntryId = entry.EntryId,
        OperationId = entry.OperationId,
        Kind = SnakeCase(entry.Kind.ToString()),
        UserId = entry.UserId,
        Asset = entry.Asset,
        Bucket = entry.Bucket.ToString().ToLowerInvariant(),
        Amount = entry.Amount.ToString(CultureInfo.InvariantCulture),
        CreatedAt = Timestamp.FromDateTimeOffset(entry.CreatedAt),
    };

    /// <summary>"WithdrawalRequest" → "withdrawal_request", as the journal's kind column spells it.</summary>
    private static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
