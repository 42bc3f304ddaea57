using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Hosting;

/// <summary>The background checkpoint of the embedded SQLite database (<see cref="SqliteCheckpoint"/>).</summary>
public sealed class SqliteCheckpointTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Commits_reach_the_database_file_from_the_background_job_not_from_a_commit()
    {
        using var data = new TempDirectory("checkpoint");
        var path = Path.Combine(data.Path, "licensing.db");
        await SchemaMigrator.ApplyAsync(StorageProvider.Sqlite, StorageConnections.Sqlite(path), NullLogger.Instance, cancellationToken: Cancel);
        var database = new LicensingDatabase(StorageProvider.Sqlite, StorageConnections.Sqlite(path));
        // Enough pages for SQLite's default threshold (1,000) to have checkpointed inside a commit.
        const int rows = 1_500;
        await using (await database.WriteGate.EnterAsync(Cancel))
        {
            await using var connection = await database.OpenAsync(Cancel);
            await using var insert = connection.CreateCommand();
            insert.CommandText =
                "CREATE TABLE checkpoint_probe (id INTEGER PRIMARY KEY, filler BLOB NOT NULL);" +
                $"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) INSERT INTO checkpoint_probe SELECT i, randomblob(3000) FROM n";
            await insert.ExecuteNonQueryAsync(Cancel);
        }
        Assert.Equal(0, RowsInDatabaseFileAlone(path, data.Path)); // the commit did not checkpoint

        var job = new SqliteCheckpoint(database, TimeProvider.System, NullLogger<SqliteCheckpoint>.Instance);
        await job.StartAsync(Cancel);
        try
        {
            await Eventually.True(() => Task.FromResult(RowsInDatabaseFileAlone(path, data.Path) == rows), TimeSpan.FromSeconds(10));
        }
        finally
        {
            await job.StopAsync(CancellationToken.None);
        }
        Assert.Equal(rows, RowsInDatabaseFileAlone(path, data.Path));
    }

    /// <summary>Rows of the probe table in a copy of the database file without its WAL (0 if the table is not there yet).</summary>
    private static long RowsInDatabaseFileAlone(string path, string directory)
    {
        var copy = Path.Combine(directory, $"copy-{Guid.NewGuid():N}.db");
        File.Copy(path, copy);
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString());
            connection.Open();
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'checkpoint_probe'";
            if ((long)count.ExecuteScalar()! == 0) return 0;
            count.CommandText = "SELECT count(*) FROM checkpoint_probe";
            return (long)count.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return -1; // copied while a checkpoint was writing: not a whole database file yet
        }
        finally
        {
            foreach (var file in Directory.GetFiles(directory, Path.GetFileName(copy) + "*")) File.Delete(file);
        }
    }
}
