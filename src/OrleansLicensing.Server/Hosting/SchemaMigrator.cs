using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// Applies the project's SQL (scripts/sql/{sqlite,postgresql}, embedded in this assembly) before the
/// silo starts. Each file is idempotent; the runner records what it applied with a checksum in
/// <c>licensing_schema_migrations</c>, applies new or changed files in name order, one transaction per
/// file, and on PostgreSQL holds an advisory lock so that silos starting together apply them once.
/// </summary>
public static class SchemaMigrator
{
    private const long AdvisoryLockKey = 0x4F4C_4943_454E_5345; // "OLICENSE"
    internal const string HistoryTable = "licensing_schema_migrations";

    /// <summary>The migration files for an engine, in the order they apply.</summary>
    public static IReadOnlyList<(string Name, string Sql)> Files(StorageProvider provider)
    {
        var folder = provider == StorageProvider.PostgreSql ? "sql/postgresql/" : "sql/sqlite/";
        var assembly = typeof(SchemaMigrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[folder.Length..], Read(assembly, n)))
            .ToList();
    }

    /// <summary>
    /// Applies pending files; returns the names it applied. Retries while the database is unreachable,
    /// for at most <c>Licensing:Storage:StartupWait</c>.
    /// </summary>
    public static Task<IReadOnlyList<string>> ApplyAsync(LicensingSettings settings, ILogger logger, CancellationToken cancellationToken = default) =>
        ApplyAsync(settings.Provider, StorageConnections.For(settings).ConnectionString, logger, settings.Licensing.Storage.StartupWait, cancellationToken: cancellationToken);

    /// <summary>Applies pending files to the database behind <paramref name="connectionString"/>.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(
        StorageProvider provider, string connectionString, ILogger logger, TimeSpan? unreachableWait = null, TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        var deadline = time.GetUtcNow() + (unreachableWait ?? TimeSpan.FromSeconds(60));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return provider == StorageProvider.PostgreSql
                    ? await ApplyPostgresAsync(connectionString, logger, cancellationToken)
                    : await ApplySqliteAsync(connectionString, logger, cancellationToken);
            }
            catch (Exception error) when (IsTransientConnectionError(error) && time.GetUtcNow() < deadline)
            {
                logger.LogWarning("Database not reachable yet (attempt {Attempt}): {Message}; retrying", attempt, error.Message);
                // The deadline can pass between the check above and here. A pause below zero must not reach
                // Task.Delay: it refuses one below -1 ms, and one that truncates to -1 ms waits forever.
                var pause = TimeSpan.FromSeconds(Math.Min(5, attempt));
                var left = deadline - time.GetUtcNow();
                await Task.Delay(TimeSpan.FromTicks(Math.Clamp(left.Ticks, 0, pause.Ticks)), time, cancellationToken);
            }
        }
    }

    private static bool IsTransientConnectionError(Exception error) =>
        error is NpgsqlException { IsTransient: true } or TimeoutException or System.Net.Sockets.SocketException
        || error.InnerException is System.Net.Sockets.SocketException;

    private static async Task<IReadOnlyList<string>> ApplyPostgresAsync(string connectionString, ILogger logger, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            await ExecuteAsync(connection, null,
                $"CREATE TABLE IF NOT EXISTS {HistoryTable} (name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", ct);
            return await ApplyFilesAsync(connection, StorageProvider.PostgreSql, logger,
                upsert: $"INSERT INTO {HistoryTable} (name, checksum) VALUES (@name, @checksum) ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = now()", ct);
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    private static async Task<IReadOnlyList<string>> ApplySqliteAsync(string connectionString, ILogger logger, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        // WAL persists in the file. Durability per commit: SqliteWalSync (the writers run with synchronous=NORMAL and
        // are acknowledged after a shared fsync of the WAL; this connection keeps the default FULL).
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL", ct);
        await ExecuteAsync(connection, null,
            $"CREATE TABLE IF NOT EXISTS {HistoryTable} (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))", ct);
        return await ApplyFilesAsync(connection, StorageProvider.Sqlite, logger,
            upsert: $"INSERT INTO {HistoryTable} (name, checksum) VALUES (@name, @checksum) ON CONFLICT (name) DO UPDATE SET checksum = excluded.checksum, applied_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')", ct);
    }

    private static async Task<IReadOnlyList<string>> ApplyFilesAsync(DbConnection connection, StorageProvider provider, ILogger logger, string upsert, CancellationToken ct)
    {
        var applied = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT name, checksum FROM {HistoryTable}";
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) applied[reader.GetString(0)] = reader.GetString(1);
        }

        var done = new List<string>();
        foreach (var (name, sql) in Files(provider))
        {
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            if (applied.TryGetValue(name, out var known) && known == checksum) continue;

            await using var transaction = await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, transaction, sql, ct);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = upsert;
                record.AddParameter("name", name);
                record.AddParameter("checksum", checksum);
                await record.ExecuteNonQueryAsync(ct);
            }
            await transaction.CommitAsync(ct);
            logger.LogInformation("Applied schema file {File}", name);
            done.Add(name);
        }
        return done;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>Connection strings for the two storage engines.</summary>
public static class StorageConnections
{
    /// <summary>ADO.NET invariant names Orleans maps to drivers (System.Data.SQLite loads Microsoft.Data.Sqlite).</summary>
    public const string SqliteInvariant = "System.Data.SQLite";
    public const string PostgresInvariant = "Npgsql";

    public static string Sqlite(LicensingSettings settings) => Sqlite(settings.SqliteDatabasePath);

    public static string Sqlite(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30, // also the busy timeout: writers wait for the single SQLite writer lock
    }.ToString();

    public static (string Invariant, string ConnectionString) For(LicensingSettings settings) =>
        settings.Provider == StorageProvider.PostgreSql
            ? (PostgresInvariant, settings.PostgresConnectionString!)
            : (SqliteInvariant, Sqlite(settings));
}
