using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Hosting;

public sealed class SchemaMigratorTests
{
    [Fact]
    public async Task SQLite_schema_applies_once_and_a_second_start_applies_nothing()
    {
        using var data = new TempDirectory("schema");
        var connectionString = StorageConnections.Sqlite(Path.Combine(data.Path, "licensing.db"));

        var first = await SchemaMigrator.ApplyAsync(StorageProvider.Sqlite, connectionString, NullLogger.Instance, cancellationToken: TestContext.Current.CancellationToken);
        var second = await SchemaMigrator.ApplyAsync(StorageProvider.Sqlite, connectionString, NullLogger.Instance, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(SchemaMigrator.Files(StorageProvider.Sqlite).Select(f => f.Name), first);
        Assert.Empty(second);
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        Assert.Equal("wal", await Scalar(connection, "PRAGMA journal_mode"));
        Assert.Equal(4L, await Scalar(connection, "SELECT count(*) FROM OrleansQuery WHERE QueryKey IN ('WriteToStorageKey','ReadFromStorageKey','ClearStorageKey','DeleteStorageKey')"));
        Assert.Equal(7L, await Scalar(connection, "SELECT count(*) FROM OrleansQuery WHERE QueryKey LIKE '%Reminder%' OR QueryKey LIKE 'ReadRangeRows%'"));
    }

    [Fact]
    public async Task The_SQL_files_are_idempotent_when_run_again_by_hand()
    {
        using var data = new TempDirectory("schema-by-hand");
        var connectionString = StorageConnections.Sqlite(Path.Combine(data.Path, "licensing.db"));
        await SchemaMigrator.ApplyAsync(StorageProvider.Sqlite, connectionString, NullLogger.Instance, cancellationToken: TestContext.Current.CancellationToken);
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await Scalar(connection, "INSERT INTO licensing_grain_state (grain_id_hash, grain_id_n0, grain_id_n1, grain_type_hash, grain_type_string, grain_id_extension_string, service_id, payload_binary, version, modified_at) VALUES (1, 0, 0, 2, 'account', 'acc_x', 'svc', x'01', 1, '2026-01-01T00:00:00Z')");

        foreach (var (_, sql) in SchemaMigrator.Files(StorageProvider.Sqlite)) await Scalar(connection, sql);

        Assert.Equal(1L, await Scalar(connection, "SELECT count(*) FROM licensing_grain_state"));
    }

    [Fact]
    public async Task PostgreSQL_schema_applies_exactly_once_when_silos_start_together()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SchemaMigrator.ApplyAsync(StorageProvider.PostgreSql, connectionString, NullLogger.Instance)));

        var files = SchemaMigrator.Files(StorageProvider.PostgreSql).Select(f => f.Name).ToList();
        Assert.Equal(files, runs.Single(r => r.Count > 0));
        Assert.Equal(3, runs.Count(r => r.Count == 0));
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        Assert.Equal((long)files.Count, await Scalar(connection, "SELECT count(*) FROM licensing_schema_migrations"));
        Assert.Equal(21L, await Scalar(connection, "SELECT count(*) FROM orleansquery"));
        // The files also run again by hand without error (psql -f), keeping data.
        foreach (var (_, sql) in SchemaMigrator.Files(StorageProvider.PostgreSql)) await Scalar(connection, sql);
        Assert.Equal(21L, await Scalar(connection, "SELECT count(*) FROM orleansquery"));
    }

    [Fact]
    public async Task The_wait_for_an_unreachable_database_ends_when_its_deadline_passes_while_a_retry_is_logged()
    {
        // Found as a rare hang of the server's start-up: the deadline passed between the retry's check and
        // its pause, and a pause of -1 ms is Task.Delay's "forever".
        var time = new FakeTimeProvider();
        var wait = TimeSpan.FromSeconds(30);
        var deadline = time.GetUtcNow() + wait;
        var logger = new OnWarning(() => time.SetUtcNow(deadline + TimeSpan.FromMilliseconds(1)));
        var nothingListens = $"Host=127.0.0.1;Port={FreePorts.Next()};Username=postgres;Timeout=2";

        var run = SchemaMigrator.ApplyAsync(StorageProvider.PostgreSql, nothingListens, logger, wait, time, TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal(1, logger.Warnings);
    }

    /// <summary>A logger that runs an action on every warning (the migrator logs one per retry).</summary>
    private sealed class OnWarning(Action action) : ILogger
    {
        public int Warnings { get; private set; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel != LogLevel.Warning) return;
            Warnings++;
            action();
        }
    }

    private static async Task<object?> Scalar(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
