using System.Data;
using System.Data.Common;
using System.Text;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.AuthLogs;

/// <summary>The SQL of <c>licensing_auth_log</c> (scripts/sql/*/0040_auth_log.sql), the same for SQLite and PostgreSQL.</summary>
public sealed class AuthLogStore(LicensingDatabase database)
{
    private const int Columns = 7;

    private const string InsertColumns = "INSERT INTO licensing_auth_log (app_id, at, endpoint, result, license_key, hwid, ip) VALUES ";

    /// <summary>Inserts the entries: one statement on PostgreSQL, transactions of at most <see cref="SqliteSlice"/> rows on SQLite.</summary>
    public async Task InsertAsync(IReadOnlyList<AuthLogEntry> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0) return;
        if (database.IsPostgres)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await InsertMultiRowAsync(connection, entries, cancellationToken);
            return;
        }
        // SQLite has one writer: a batch takes the write turn in slices, so the account debits queued
        // behind it (which a validate waits for) wait for one slice at most, not for the whole batch.
        for (var start = 0; start < entries.Count; start += SqliteSlice)
        {
            await using var turn = await database.WriteGate.EnterAsync(cancellationToken);
            await using var connection = await database.OpenAsync(cancellationToken);
            await InsertPreparedAsync(connection, entries, start, Math.Min(SqliteSlice, entries.Count - start), cancellationToken);
        }
    }

    /// <summary>Most rows one SQLite transaction of the auth log holds the write turn for.</summary>
    public const int SqliteSlice = 64;

    /// <summary>
    /// SQLite: one prepared single-row statement executed per entry inside a transaction. A
    /// multi-row statement with thousands of named parameters costs far more here: the driver
    /// looks every parameter name up in the statement, one by one.
    /// </summary>
    private static async Task InsertPreparedAsync(DbConnection connection, IReadOnlyList<AuthLogEntry> entries, int start, int count, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertColumns + "(@app, @at, @endpoint, @result, @key, @hwid, @ip)";
        var app = command.AddParameter("app", "", DbType.String);
        var at = command.AddParameter("at", 0L, DbType.Int64);
        var endpoint = command.AddParameter("endpoint", "", DbType.String);
        var result = command.AddParameter("result", "", DbType.String);
        var key = command.AddParameter("key", null, DbType.String);
        var hwid = command.AddParameter("hwid", null, DbType.String);
        var ip = command.AddParameter("ip", "", DbType.String);
        await command.PrepareAsync(cancellationToken);
        for (var i = start; i < start + count; i++)
        {
            var e = entries[i];
            app.Value = e.AppId;
            at.Value = e.At.ToUnixTimeMilliseconds();
            endpoint.Value = e.Endpoint;
            result.Value = e.Result;
            key.Value = (object?)e.LicenseKey ?? DBNull.Value;
            hwid.Value = (object?)e.Hwid ?? DBNull.Value;
            ip.Value = e.Ip;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>PostgreSQL: one multi-row <c>INSERT</c> (one round trip).</summary>
    private static async Task InsertMultiRowAsync(DbConnection connection, IReadOnlyList<AuthLogEntry> entries, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder(InsertColumns);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (i > 0) sql.Append(',');
            sql.Append('(');
            for (var c = 0; c < Columns; c++) sql.Append(c == 0 ? "" : ",").Append("@p").Append(i * Columns + c);
            sql.Append(')');
            command.AddParameter($"p{i * Columns}", e.AppId);
            command.AddParameter($"p{i * Columns + 1}", e.At.ToUnixTimeMilliseconds());
            command.AddParameter($"p{i * Columns + 2}", e.Endpoint);
            command.AddParameter($"p{i * Columns + 3}", e.Result);
            command.AddParameter($"p{i * Columns + 4}", e.LicenseKey, DbType.String);
            command.AddParameter($"p{i * Columns + 5}", e.Hwid, DbType.String);
            command.AddParameter($"p{i * Columns + 6}", e.Ip);
        }
        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>An app's entries newest first, strictly older than <paramref name="beforeId"/>, optionally filtered.</summary>
    public async Task<IReadOnlyList<StoredAuthLogEntry>> PageAsync(
        string appId, long? beforeId, int limit, string? result = null, string? licenseKey = null, string? ip = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT id, app_id, at, endpoint, result, license_key, hwid, ip FROM licensing_auth_log WHERE app_id = @app");
        command.AddParameter("app", appId);
        if (beforeId is { } before)
        {
            sql.Append(" AND id < @before");
            command.AddParameter("before", before);
        }
        if (result is not null)
        {
            sql.Append(" AND result = @result");
            command.AddParameter("result", result);
        }
        if (licenseKey is not null)
        {
            sql.Append(" AND license_key = @key");
            command.AddParameter("key", licenseKey);
        }
        if (ip is not null)
        {
            // No index of its own: the app's rows within the retention window are scanned.
            sql.Append(" AND ip = @ip");
            command.AddParameter("ip", ip);
        }
        sql.Append(" ORDER BY id DESC LIMIT @limit");
        command.AddParameter("limit", limit);
        command.CommandText = sql.ToString();

        var page = new List<StoredAuthLogEntry>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add(new StoredAuthLogEntry(
                reader.GetInt64(0),
                new AuthLogEntry(
                    reader.GetString(1),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                    reader.GetString(3),
                    reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.GetString(7))));
        }
        return page;
    }

    /// <summary>
    /// Deletes entries older than <paramref name="cutoff"/> in chunks (short write transactions: SQLite
    /// has one writer, and the auth log writer shares it). Returns how many were deleted.
    /// </summary>
    public async Task<long> DeleteOlderThanAsync(DateTimeOffset cutoff, int chunk = 5000, CancellationToken cancellationToken = default)
    {
        long total = 0;
        await using var connection = await database.OpenAsync(cancellationToken);
        while (true)
        {
            await using var command = connection.CreateCommand();
            command.CommandText =
                "DELETE FROM licensing_auth_log WHERE id IN (SELECT id FROM licensing_auth_log WHERE at < @cutoff ORDER BY at LIMIT @chunk)";
            command.AddParameter("cutoff", cutoff.ToUnixTimeMilliseconds());
            command.AddParameter("chunk", chunk);
            int deleted;
            await using (await database.WriteGate.EnterAsync(cancellationToken)) deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
            if (deleted < chunk) return total;
        }
    }
}
