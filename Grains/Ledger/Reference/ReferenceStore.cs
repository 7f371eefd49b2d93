using System.Numerics;
using Npgsql;
using OrleansWallet.Ledger.Resilience;

namespace OrleansWallet.Ledger.Reference;

/// <summary>Reference data as Postgres holds it: the source of truth behind the cache.</summary>
internal sealed class ReferenceStore(NpgsqlDataSource dataSource, LedgerPipelines pipelines)
{
    public Task<Asset?> GetAssetAsync(string symbol, CancellationToken cancellationToken) =>
        QuerySingleAsync("reference.asset",
            "SELECT symbol, chain, decimals, contract_address, enabled FROM assets WHERE symbol = @symbol",
            c => c.Parameters.AddWithValue("symbol", symbol),
            r => new Asset(r.GetString(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetBoolean(4)),
            cancellationToken);

    public Task UpsertAssetAsync(Asset asset, CancellationToken cancellationToken) =>
        ExecuteAsync("reference.asset.upsert",
            """
            INSERT INTO assets (symbol, chain, decimals, contract_address, enabled) VALUES (@symbol, @chain, @decimals, @contract, @enabled)
            ON CONFLICT (symbol) DO UPDATE SET chain = excluded.chain, decimals = excluded.decimals,
                contract_address = excluded.contract_address, enabled = excluded.enabled, updated_at = now()
            """,
            c =>
            {
                c.Parameters.AddWithValue("symbol", asset.Symbol);
                c.Parameters.AddWithValue("chain", asset.Chain);
                c.Parameters.AddWithValue("decimals", asset.Decimals);
                c.Parameters.AddWithValue("contract", (object?)asset.ContractAddress ?? DBNull.Value);
                c.Parameters.AddWithValue("enabled", asset.Enabled);
            }, cancellationToken);

    public Task<UserProfile?> GetUserAsync(string userId, CancellationToken cancellationToken) =>
        QuerySingleAsync("reference.user",
            "SELECT user_id, kyc_tier FROM users WHERE user_id = @user_id",
            c => c.Parameters.AddWithValue("user_id", userId),
            r => new UserProfile(r.GetString(0), r.GetInt32(1)),
            cancellationToken);

    public Task UpsertUserAsync(UserProfile user, CancellationToken cancellationToken) =>
        ExecuteAsync("reference.user.upsert",
            """
            INSERT INTO users (user_id, kyc_tier) VALUES (@user_id, @kyc_tier)
            ON CONFLICT (user_id) DO UPDATE SET kyc_tier = excluded.kyc_tier, updated_at = now()
            """,
            c =>
            {
                c.Parameters.AddWithValue("user_id", user.UserId);
                c.Parameters.AddWithValue("kyc_tier", user.KycTier);
            }, cancellationToken);

    public Task<CachedAmount?> GetTierLimitAsync(int kycTier, string asset, CancellationToken cancellationToken) =>
        QueryAmountAsync("reference.tier_limit",
            "SELECT daily_withdrawal_limit FROM tier_limits WHERE kyc_tier = @kyc_tier AND asset = @asset",
            c =>
            {
                c.Parameters.AddWithValue("kyc_tier", kycTier);
                c.Parameters.AddWithValue("asset", asset);
            }, cancellationToken);

    public Task SetTierLimitAsync(int kycTier, string asset, BigInteger dailyLimit, CancellationToken cancellationToken) =>
        ExecuteAsync("reference.tier_limit.set",
            """
            INSERT INTO tier_limits (kyc_tier, asset, daily_withdrawal_limit) VALUES (@kyc_tier, @asset, @limit)
            ON CONFLICT (kyc_tier, asset) DO UPDATE SET daily_withdrawal_limit = excluded.daily_withdrawal_limit
            """,
            c =>
            {
                c.Parameters.AddWithValue("kyc_tier", kycTier);
                c.Parameters.AddWithValue("asset", asset);
                c.Parameters.AddWithValue("limit", dailyLimit);
            }, cancellationToken);

    public Task<CachedAmount?> GetUserLimitOverrideAsync(string userId, string asset, CancellationToken cancellationToken) =>
        QueryAmountAsync("reference.user_limit",
            "SELECT daily_withdrawal_limit FROM user_limit_overrides WHERE user_id = @user_id AND asset = @asset",
            c =>
            {
                c.Parameters.AddWithValue("user_id", userId);
                c.Parameters.AddWithValue("asset", asset);
            }, cancellationToken);

    public Task SetUserLimitOverrideAsync(string userId, string asset, BigInteger? dailyLimit, CancellationToken cancellationToken) =>
        dailyLimit is null
            ? ExecuteAsync("reference.user_limit.delete",
                "DELETE FROM user_limit_overrides WHERE user_id = @user_id AND asset = @asset",
                c =>
                {
                    c.Parameters.AddWithValue("user_id", userId);
                    c.Parameters.AddWithValue("asset", asset);
                }, cancellationToken)
            : ExecuteAsync("reference.user_limit.set",
                """
                INSERT INTO user_limit_overrides (user_id, asset, daily_withdrawal_limit) VALUES (@user_id, @asset, @limit)
                ON CONFLICT (user_id, asset) DO UPDATE SET daily_withdrawal_limit = excluded.daily_withdrawal_limit
                """,
                c =>
                {
                    c.Parameters.AddWithValue("user_id", userId);
                    c.Parameters.AddWithValue("asset", asset);
                    c.Parameters.AddWithValue("limit", dailyLimit.Value);
                }, cancellationToken);

    public async Task<AllowlistAddresses?> GetAllowlistAsync(string userId, string chain, CancellationToken cancellationToken) =>
        await pipelines.Postgres.ExecuteAsync<AllowlistAddresses?>("reference.allowlist", async token =>
        {
            await using var command = dataSource.CreateCommand(
                "SELECT address FROM withdrawal_allowlist WHERE user_id = @user_id AND chain = @chain ORDER BY address");
            command.Parameters.AddWithValue("user_id", userId);
            command.Parameters.AddWithValue("chain", chain);
            var addresses = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token)) addresses.Add(reader.GetString(0));
            return new AllowlistAddresses(addresses);
        }, cancellationToken);

    public Task AddToAllowlistAsync(string userId, string chain, string normalizedAddress, CancellationToken cancellationToken) =>
        ExecuteAsync("reference.allowlist.add",
            """
            INSERT INTO withdrawal_allowlist (user_id, chain, address) VALUES (@user_id, @chain, @address)
            ON CONFLICT ON CONSTRAINT withdrawal_allowlist_unique DO NOTHING
            """,
            c =>
            {
                c.Parameters.AddWithValue("user_id", userId);
                c.Parameters.AddWithValue("chain", chain);
                c.Parameters.AddWithValue("address", normalizedAddress);
            }, cancellationToken);

    public Task RemoveFromAllowlistAsync(string userId, string chain, string normalizedAddress, CancellationToken cancellationToken) =>
        ExecuteAsync("reference.allowlist.remove",
            "DELETE FROM withdrawal_allowlist WHERE user_id = @user_id AND chain = @chain AND address = @address",
            c =>
            {
                c.Parameters.AddWithValue("user_id", userId);
                c.Parameters.AddWithValue("chain", chain);
                c.Parameters.AddWithValue("address", normalizedAddress);
            }, cancellationToken);

    // A missing row is an answer too ("no limit set"), so it comes back as an empty amount, not null,
    // and the cache can keep it.
    private async Task<CachedAmount?> QueryAmountAsync(string operation, string sql, Action<NpgsqlCommand> bind,
        CancellationToken cancellationToken) =>
        await QuerySingleAsync(operation, sql, bind,
            r => new CachedAmount(r.GetFieldValue<BigInteger>(0).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            cancellationToken) ?? new CachedAmount(null);

    private async Task<T?> QuerySingleAsync<T>(string operation, string sql, Action<NpgsqlCommand> bind,
        Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken) where T : class =>
        await pipelines.Postgres.ExecuteAsync(operation, async token =>
        {
            await using var command = dataSource.CreateCommand(sql);
            bind(command);
            await using var reader = await command.ExecuteReaderAsync(token);
            return await reader.ReadAsync(token) ? read(reader) : null;
        }, cancellationToken);

    private async Task ExecuteAsync(string operation, string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        await pipelines.Postgres.ExecuteAsync(operation, async token =>
        {
            await using var command = dataSource.CreateCommand(sql);
            bind(command);
            await command.ExecuteNonQueryAsync(token);
        }, cancellationToken);
}

/// <summary>An amount as the cache stores it: decimal text, or null for "no row".</summary>
internal sealed record CachedAmount(string? Value)
{
    public BigInteger? Amount => Value is null ? null : BigInteger.Parse(Value, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A user's allow-listed addresses on one chain, normalised.</summary>
internal sealed record AllowlistAddresses(IReadOnlyList<string> Addresses);
