using System.Numerics;
using Npgsql;
using OrleansWallet.Ledger.Resilience;

namespace OrleansWallet.Ledger.Withdrawals;

/// <summary>
/// The withdrawals table: what counts towards today's limit. Recording re-reads the user's limit
/// and allow-list from Postgres (not the cache) under a per-(user, asset) lock, so two silos
/// cannot both spend the last of a limit and a just-removed address is refused at once.
/// </summary>
internal sealed class WithdrawalStore(NpgsqlDataSource dataSource, LedgerPipelines pipelines)
{
    private const string CountingStatuses = "('pending', 'completed')";

    public async Task<BigInteger> GetWithdrawnAsync(string userId, string asset, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken) =>
        await pipelines.Postgres.ExecuteAsync("withdrawals.sum", async token =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(token);
            return await SumWithdrawnAsync(connection, null, userId, asset, from, to, token);
        }, cancellationToken);

    /// <summary>
    /// Inserts the withdrawal as pending if the user exists, the normalised address is on their
    /// allow-list and the day's total stays within their limit; otherwise says why not.
    /// </summary>
    public async Task<WithdrawalDecision> TryRecordAsync(WithdrawalRequest request, string normalizedAddress,
        DateTimeOffset now, DateTimeOffset dayStart, DateTimeOffset dayEnd, CancellationToken cancellationToken) =>
        await pipelines.Postgres.ExecuteAsync("withdrawals.record", async token =>
        {
            await using var connection = await dataSource.OpenConnectionAsync(token);
            await using var transaction = await connection.BeginTransactionAsync(token);

            await using (var lockCommand = new NpgsqlCommand(
                "SELECT pg_advisory_xact_lock(hashtextextended(@user_id || chr(31) || @asset, 0))", connection, transaction))
            {
                lockCommand.Parameters.AddWithValue("user_id", request.UserId);
                lockCommand.Parameters.AddWithValue("asset", request.Asset);
                await lockCommand.ExecuteNonQueryAsync(token);
            }

            if (await FindAsync(connection, transaction, request.WithdrawalId, token) is { } existing)
            {
                if (existing.UserId != request.UserId || existing.Asset != request.Asset || existing.Amount != request.Amount ||
                    existing.Chain != request.Chain || existing.Address != normalizedAddress)
                    throw new ArgumentException($"withdrawal id '{request.WithdrawalId}' was already used for another withdrawal");
                return WithdrawalDecision.Allowed; // a replay of a recorded withdrawal
            }

            var (userExists, limit) = await ReadLimitAsync(connection, transaction, request.UserId, request.Asset, token);
            if (!userExists)
                return WithdrawalDecision.Rejected(WithdrawalRejection.UnknownUser, $"user '{request.UserId}' is not registered");
            if (!await IsAllowlistedAsync(connection, transaction, request.UserId, request.Chain, normalizedAddress, token))
                return WithdrawalDecision.Rejected(WithdrawalRejection.AddressNotAllowlisted,
                    $"{request.Address} is not on the user's {request.Chain} allow-list");
            var used = await SumWithdrawnAsync(connection, transaction, request.UserId, request.Asset, dayStart, dayEnd, token);
            if (WithdrawalLimit.Exceeded(limit, used, request.Amount) is { } over) return over;

            await using (var insert = new NpgsqlCommand(
                """
                INSERT INTO withdrawals (withdrawal_id, user_id, asset, amount, chain, address, status, requested_at, updated_at)
                VALUES (@withdrawal_id, @user_id, @asset, @amount, @chain, @address, 'pending', @now, @now)
                """, connection, transaction))
            {
                insert.Parameters.AddWithValue("withdrawal_id", request.WithdrawalId);
                insert.Parameters.AddWithValue("user_id", request.UserId);
                insert.Parameters.AddWithValue("asset", request.Asset);
                insert.Parameters.AddWithValue("amount", request.Amount);
                insert.Parameters.AddWithValue("chain", request.Chain);
                insert.Parameters.AddWithValue("address", normalizedAddress);
                insert.Parameters.AddWithValue("now", now.ToUniversalTime());
                await insert.ExecuteNonQueryAsync(token);
            }
            await transaction.CommitAsync(token);
            return WithdrawalDecision.Allowed;
        }, cancellationToken);

    /// <summary>Moves a pending withdrawal to completed or failed; repeating the same final status is a no-op.</summary>
    /// <exception cref="KeyNotFoundException">No withdrawal with this id was recorded.</exception>
    /// <exception cref="InvalidOperationException">It already reached the other final status.</exception>
    public async Task FinishAsync(string withdrawalId, string status, DateTimeOffset now, CancellationToken cancellationToken) =>
        await pipelines.Postgres.ExecuteAsync("withdrawals.finish", async token =>
        {
            await using var command = dataSource.CreateCommand(
                """
                WITH updated AS (
                    UPDATE withdrawals SET status = @status, updated_at = @now
                    WHERE withdrawal_id = @withdrawal_id AND status = 'pending'
                    RETURNING status)
                SELECT status FROM updated
                UNION ALL
                SELECT status FROM withdrawals WHERE withdrawal_id = @withdrawal_id AND NOT EXISTS (SELECT 1 FROM updated)
                """);
            command.Parameters.AddWithValue("withdrawal_id", withdrawalId);
            command.Parameters.AddWithValue("status", status);
            command.Parameters.AddWithValue("now", now.ToUniversalTime());
            var current = (string?)await command.ExecuteScalarAsync(token);
            if (current is null) throw new KeyNotFoundException($"withdrawal '{withdrawalId}' was never recorded");
            if (current != status)
                throw new InvalidOperationException($"withdrawal '{withdrawalId}' is already {current}; it cannot become {status}");
        }, cancellationToken);

    private static async Task<BigInteger> SumWithdrawnAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        string userId, string asset, DateTimeOffset from, DateTimeOffset to, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT coalesce(sum(amount), 0) FROM withdrawals
            WHERE user_id = @user_id AND asset = @asset AND requested_at >= @from AND requested_at < @to
              AND status IN {CountingStatuses}
            """, connection, transaction);
        command.Parameters.AddWithValue("user_id", userId);
        command.Parameters.AddWithValue("asset", asset);
        command.Parameters.AddWithValue("from", from.ToUniversalTime());
        command.Parameters.AddWithValue("to", to.ToUniversalTime());
        await using var reader = await command.ExecuteReaderAsync(token);
        await reader.ReadAsync(token);
        return reader.GetFieldValue<BigInteger>(0);
    }

    private static async Task<(bool UserExists, BigInteger? Limit)> ReadLimitAsync(NpgsqlConnection connection,
        NpgsqlTransaction transaction, string userId, string asset, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT coalesce(o.daily_withdrawal_limit, t.daily_withdrawal_limit)
            FROM users u
            LEFT JOIN user_limit_overrides o ON o.user_id = u.user_id AND o.asset = @asset
            LEFT JOIN tier_limits t ON t.kyc_tier = u.kyc_tier AND t.asset = @asset
            WHERE u.user_id = @user_id
            """, connection, transaction);
        command.Parameters.AddWithValue("user_id", userId);
        command.Parameters.AddWithValue("asset", asset);
        await using var reader = await command.ExecuteReaderAsync(token);
        if (!await reader.ReadAsync(token)) return (false, null);
        return (true, reader.IsDBNull(0) ? null : reader.GetFieldValue<BigInteger>(0));
    }

    private static async Task<bool> IsAllowlistedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string userId, string chain, string normalizedAddress, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM withdrawal_allowlist WHERE user_id = @user_id AND chain = @chain AND address = @address)",
            connection, transaction);
        command.Parameters.AddWithValue("user_id", userId);
        command.Parameters.AddWithValue("chain", chain);
        command.Parameters.AddWithValue("address", normalizedAddress);
        return (bool)(await command.ExecuteScalarAsync(token))!;
    }

    private static async Task<StoredWithdrawal?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string withdrawalId, CancellationToken token)
    {
        await using var command = new NpgsqlCommand(
            "SELECT user_id, asset, amount, chain, address FROM withdrawals WHERE withdrawal_id = @withdrawal_id",
            connection, transaction);
        command.Parameters.AddWithValue("withdrawal_id", withdrawalId);
        await using var reader = await command.ExecuteReaderAsync(token);
        if (!await reader.ReadAsync(token)) return null;
        return new StoredWithdrawal(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<BigInteger>(2),
            reader.GetString(3), reader.GetString(4));
    }

    private sealed record StoredWithdrawal(string UserId, string Asset, BigInteger Amount, string Chain, string Address);
}
