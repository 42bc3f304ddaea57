using System.Buffers;
using System.Data;
using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using OrleansLicensing.Server.Hosting;
using SQLitePCL;

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
    /// SQLite: one single-row statement, compiled once per slice and executed per entry inside a
    /// transaction, its values bound by position straight through SQLite's C API. Binding through
    /// ADO.NET looked every parameter up by name on every row (several failed lookups and strings each),
    /// which made the log's inserts the largest allocator of a validate; a multi-row statement with
    /// thousands of named parameters costs more still.
    /// </summary>
    private static async Task InsertPreparedAsync(DbConnection connection, IReadOnlyList<AuthLogEntry> entries, int start, int count, CancellationToken cancellationToken)
    {
        // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default, with its busy retries): the write lock is held
        // from here, so the rows below never meet a busy database.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        InsertRows(((SqliteConnection)connection).Handle!, entries, start, count);
        await transaction.CommitAsync(cancellationToken);
    }

    private static void InsertRows(sqlite3 db, IReadOnlyList<AuthLogEntry> entries, int start, int count)
    {
        Check(db, raw.sqlite3_prepare_v2(db, InsertColumns + "(?1, ?2, ?3, ?4, ?5, ?6, ?7)", out var statement));
        using (statement)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(1024);
            try
            {
                for (var i = start; i < start + count; i++)
                {
                    var e = entries[i];
                    BindText(db, statement, 1, e.AppId, ref buffer);
                    Check(db, raw.sqlite3_bind_int64(statement, 2, e.At.ToUnixTimeMilliseconds()));
                    BindText(db, statement, 3, e.Endpoint, ref buffer);
                    BindText(db, statement, 4, e.Result, ref buffer);
                    BindText(db, statement, 5, IndexText.Clean(e.LicenseKey), ref buffer);
                    BindText(db, statement, 6, IndexText.Clean(e.Hwid), ref buffer);
                    BindText(db, statement, 7, e.Ip, ref buffer);
                    var rc = raw.sqlite3_step(statement);
                    if (rc != raw.SQLITE_DONE) Check(db, rc);
                    Check(db, raw.sqlite3_reset(statement));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Binds <paramref name="value"/> as UTF-8 text (SQLite copies it), or NULL.</summary>
    private static void BindText(sqlite3 db, sqlite3_stmt statement, int index, string? value, ref byte[] buffer)
    {
        if (value is null)
        {
            Check(db, raw.sqlite3_bind_null(statement, index));
            return;
        }
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length > buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(length);
        }
        var written = Encoding.UTF8.GetBytes(value, buffer);
        Check(db, raw.sqlite3_bind_text(statement, index, buffer.AsSpan(0, written)));
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK) throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(db));
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
            command.AddParameter($"p{i * Columns + 4}", IndexText.Clean(e.LicenseKey), DbType.String);
            command.AddParameter($"p{i * Columns + 5}", IndexText.Clean(e.Hwid), DbType.String);
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
            command.AddParameter("key", IndexText.Clean(licenseKey)); // stored as IndexText.Clean made it
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
