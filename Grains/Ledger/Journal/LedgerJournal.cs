using System.Globalization;
using System.Numerics;
using Npgsql;
using OrleansWallet.Ledger.Resilience;

namespace OrleansWallet.Ledger.Journal;

/// <summary>
/// The double-entry journal in Postgres. Appends are idempotent by entry id and atomic per batch;
/// every call goes through the Postgres resilience pipeline.
/// </summary>
public sealed class LedgerJournal(NpgsqlDataSource dataSource, LedgerPipelines pipelines)
{
    private const string Columns = "seq, entry_id, operation_id, kind, user_id, asset, bucket, amount, created_at";

    /// <summary>
    /// Writes the entries in one transaction; entries whose id is already in the journal are
    /// skipped, so replaying a batch (an outbox retry) writes nothing twice. Each operation in the
    /// batch must be complete: its entries must sum to zero per asset.
    /// </summary>
    /// <returns>How many entries were newly written.</returns>
    /// <exception cref="UnbalancedOperationException">An operation does not balance; nothing is written.</exception>
    /// <exception cref="LedgerEntryConflictException">An existing entry id arrived with different content; nothing is written
    /// (unless the other entry was being written concurrently, which only a reused operation id can cause).</exception>
    /// <exception cref="DependencyUnavailableException">Postgres is unavailable; retry later with the same batch.</exception>
    public async Task<int> AppendAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken = default)
    {
        LedgerEntryValidation.Validate(entries);
        if (entries.Count == 0) return 0;
        return await pipelines.Postgres.ExecuteAsync("journal.append",
            token => AppendOnceAsync(entries, token), cancellationToken);
    }

    // One statement, so one round trip and atomic without an explicit transaction: it inserts
    // the new entries unless an existing id has different content, and reports what it did.
    // The schema's balance trigger checks the statement as a whole.
    private const string AppendSql =
        """
        WITH input AS (
            SELECT e.entry_id, e.operation_id, e.kind, e.user_id, e.asset, e.bucket,
                   e.amount::numeric(78,0) AS amount, e.created_at
            FROM unnest(@entry_ids, @operation_ids, @kinds, @user_ids, @assets, @buckets, @amounts, @created_ats)
                 AS e(entry_id, operation_id, kind, user_id, asset, bucket, amount, created_at)),
        existing AS (
            SELECT i.entry_id,
                   (l.operation_id, l.kind, l.user_id, l.asset, l.bucket, l.amount) IS NOT DISTINCT FROM
                   (i.operation_id, i.kind, i.user_id, i.asset, i.bucket, i.amount) AS same
            FROM input i JOIN ledger_entries l ON l.entry_id = i.entry_id),
        inserted AS (
            INSERT INTO ledger_entries (entry_id, operation_id, kind, user_id, asset, bucket, amount, created_at)
            SELECT entry_id, operation_id, kind, user_id, asset, bucket, amount, created_at FROM input
            WHERE NOT EXISTS (SELECT 1 FROM existing WHERE NOT same)
            ON CONFLICT (entry_id) DO NOTHING
            RETURNING entry_id)
        SELECT entry_id, 'inserted' FROM inserted
        UNION ALL
        SELECT entry_id, CASE WHEN same THEN 'replayed' ELSE 'conflict' END FROM existing
        """;

    private async ValueTask<int> AppendOnceAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var append = new NpgsqlCommand(AppendSql, connection);
        append.Parameters.AddWithValue("entry_ids", entries.Select(e => e.EntryId).ToArray());
        append.Parameters.AddWithValue("operation_ids", entries.Select(e => e.OperationId).ToArray());
        append.Parameters.AddWithValue("kinds", entries.Select(e => LedgerText.Of(e.Kind)).ToArray());
        append.Parameters.AddWithValue("user_ids", entries.Select(e => e.UserId).ToArray());
        append.Parameters.AddWithValue("assets", entries.Select(e => e.Asset).ToArray());
        append.Parameters.AddWithValue("buckets", entries.Select(e => LedgerText.Of(e.Bucket)).ToArray());
        // Decimal text, cast in SQL: exact for any 78-digit value, whatever the array type mapping does.
        append.Parameters.AddWithValue("amounts", entries.Select(e => e.Amount.ToString(CultureInfo.InvariantCulture)).ToArray());
        append.Parameters.AddWithValue("created_ats", entries.Select(e => e.CreatedAt.ToUniversalTime()).ToArray());

        var inserted = 0;
        var accounted = new HashSet<string>(StringComparer.Ordinal);
        string? conflict = null;
        await using (var reader = await append.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
            {
                var entryId = reader.GetString(0);
                switch (reader.GetString(1))
                {
                    case "inserted": inserted++; break;
                    case "conflict": conflict ??= entryId; break;
                }
                accounted.Add(entryId);
            }
        if (conflict is not null) throw new LedgerEntryConflictException(conflict);

        // Ids neither inserted nor found were written by a concurrent append after this
        // statement's snapshot; they are harmless only if they are the same entries.
        if (accounted.Count < entries.Count)
            await EnsureReplaysMatchAsync(connection, entries.Where(e => !accounted.Contains(e.EntryId)).ToList(), cancellationToken);
        return inserted;
    }

    private static async Task EnsureReplaysMatchAsync(NpgsqlConnection connection, IReadOnlyList<LedgerEntry> skipped,
        CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand(
            $"SELECT {Columns} FROM ledger_entries WHERE entry_id = ANY(@entry_ids)", connection);
        select.Parameters.AddWithValue("entry_ids", skipped.Select(e => e.EntryId).ToArray());
        var stored = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
            {
                var entry = ReadEntry(reader);
                stored[entry.EntryId] = entry;
            }

        foreach (var entry in skipped)
        {
            // created_at is not compared: Postgres keeps microseconds, and the time is not the movement.
            if (!stored.TryGetValue(entry.EntryId, out var existing) ||
                existing.OperationId != entry.OperationId || existing.Kind != entry.Kind ||
                existing.UserId != entry.UserId || existing.Asset != entry.Asset ||
                existing.Bucket != entry.Bucket || existing.Amount != entry.Amount)
                throw new LedgerEntryConflictException(entry.EntryId);
        }
    }

    /// <summary>A user's entries, newest first, optionally for one asset; keyset-paged so pages stay stable as entries arrive.</summary>
    /// <param name="pageSize">1..<see cref="LedgerLimits.HistoryPageSizeMax"/>.</param>
    /// <param name="pageToken">Null for the first page, else the previous page's <see cref="LedgerHistoryPage.NextPageToken"/>.</param>
    public async Task<LedgerHistoryPage> GetHistoryAsync(string userId, string? asset, int pageSize, string? pageToken,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (pageSize is < 1 or > LedgerLimits.HistoryPageSizeMax)
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize,
                $"page size must be between 1 and {LedgerLimits.HistoryPageSizeMax}");
        long? before = null;
        if (pageToken is not null)
        {
            if (!long.TryParse(pageToken, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) || seq <= 0)
                throw new ArgumentException("page token is not one this service issued", nameof(pageToken));
            before = seq;
        }

        return await pipelines.Postgres.ExecuteAsync("journal.history", async token =>
        {
            // Filters are added only when present so the planner can use the (user, asset, seq) index.
            var sql = $"SELECT {Columns} FROM ledger_entries WHERE user_id = @user_id"
                      + (asset is null ? "" : " AND asset = @asset")
                      + (before is null ? "" : " AND seq < @before")
                      + " ORDER BY seq DESC LIMIT @limit";
            await using var command = dataSource.CreateCommand(sql);
            command.Parameters.AddWithValue("user_id", userId);
            if (asset is not null) command.Parameters.AddWithValue("asset", asset);
            if (before is not null) command.Parameters.AddWithValue("before", before.Value);
            command.Parameters.AddWithValue("limit", pageSize + 1);

            var entries = new List<LedgerEntry>(pageSize + 1);
            long lastSeq = 0;
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                if (entries.Count == pageSize) return new LedgerHistoryPage(entries, lastSeq.ToString(CultureInfo.InvariantCulture));
                lastSeq = reader.GetInt64(0);
                entries.Add(ReadEntry(reader));
            }
            return new LedgerHistoryPage(entries, null);
        }, cancellationToken);
    }

    /// <summary>The user's balances as the journal sums them, per asset and bucket.</summary>
    public Task<IReadOnlyList<LedgerBalance>> GetBalancesFromLedgerAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return SumAsync("journal.balances",
            "SELECT user_id, asset, bucket, sum(amount) FROM ledger_entries WHERE user_id = @user_id " +
            "GROUP BY user_id, asset, bucket ORDER BY asset, bucket",
            command => command.Parameters.AddWithValue("user_id", userId), cancellationToken);
    }

    /// <summary>
    /// The given users' balances per asset and bucket, for reconciling against the grains' state.
    /// The caller asks for a page of users at a time: one statement over the whole journal grows
    /// with its history and outlives the pipeline's timeout (seen after a 1,000,000-operation run).
    /// </summary>
    public Task<IReadOnlyList<LedgerBalance>> SumBalancesAsync(IReadOnlyCollection<string> userIds,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        if (userIds.Count == 0) return Task.FromResult<IReadOnlyList<LedgerBalance>>([]);
        return SumAsync("journal.sum_users",
            "SELECT user_id, asset, bucket, sum(amount) FROM ledger_entries WHERE user_id = ANY(@user_ids) " +
            "GROUP BY user_id, asset, bucket ORDER BY user_id, asset, bucket",
            command => command.Parameters.AddWithValue("user_ids", userIds.ToArray()), cancellationToken);
    }

    // A skip scan over the (user_id, seq) index: one index probe per distinct user, however many
    // entries each has, so a page costs its size and not the journal's.
    private const string UsersPageSql =
        """
        WITH RECURSIVE users(user_id) AS (
            (SELECT user_id FROM ledger_entries WHERE user_id > @after ORDER BY user_id LIMIT 1)
            UNION ALL
            SELECT (SELECT e.user_id FROM ledger_entries e WHERE e.user_id > u.user_id ORDER BY e.user_id LIMIT 1)
            FROM users u WHERE u.user_id IS NOT NULL
        )
        SELECT user_id FROM users WHERE user_id IS NOT NULL LIMIT @limit
        """;

    /// <summary>
    /// Up to <paramref name="limit"/> distinct users with journal entries, in the database's order,
    /// after <paramref name="after"/> (empty for the first page; pass the last user of a page for the next).
    /// </summary>
    public async Task<IReadOnlyList<string>> ListUsersAsync(string after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return await pipelines.Postgres.ExecuteAsync<IReadOnlyList<string>>("journal.list_users", async token =>
        {
            await using var command = dataSource.CreateCommand(UsersPageSql);
            command.Parameters.AddWithValue("after", after);
            command.Parameters.AddWithValue("limit", limit);
            var users = new List<string>(limit);
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token)) users.Add(reader.GetString(0));
            return users;
        }, cancellationToken);
    }

    private async Task<IReadOnlyList<LedgerBalance>> SumAsync(string operation, string sql,
        Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        await pipelines.Postgres.ExecuteAsync<IReadOnlyList<LedgerBalance>>(operation, async token =>
        {
            await using var command = dataSource.CreateCommand(sql);
            bind(command);
            var balances = new List<LedgerBalance>();
            await using var reader = await command.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
                balances.Add(new LedgerBalance(reader.GetString(0), reader.GetString(1),
                    LedgerText.Bucket(reader.GetString(2)), reader.GetFieldValue<BigInteger>(3)));
            return balances;
        }, cancellationToken);

    private static LedgerEntry ReadEntry(NpgsqlDataReader reader) => new(
        EntryId: reader.GetString(1),
        OperationId: reader.GetString(2),
        Kind: LedgerText.Kind(reader.GetString(3)),
        UserId: reader.GetString(4),
        Asset: reader.GetString(5),
        Bucket: LedgerText.Bucket(reader.GetString(6)),
        Amount: reader.GetFieldValue<BigInteger>(7),
        CreatedAt: reader.GetFieldValue<DateTimeOffset>(8));
}
