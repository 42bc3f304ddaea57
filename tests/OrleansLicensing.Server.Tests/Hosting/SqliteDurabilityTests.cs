using Microsoft.Data.Sqlite;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Hosting;

public sealed class SqliteDurabilityTests
{
    [Fact]
    public async Task The_product_s_connections_commit_without_their_own_sync_and_a_write_turn_ends_after_a_sync_of_the_wal()
    {
        using var data = new TempDirectory("durability");
        var path = Path.Combine(data.Path, "licensing.db");
        await SchemaMigrator.ApplyAsync(StorageProvider.Sqlite, StorageConnections.Sqlite(path), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, cancellationToken: TestContext.Current.CancellationToken);
        var database = new LicensingDatabase(StorageProvider.Sqlite, StorageConnections.Sqlite(path));
        var durability = Assert.IsType<SqliteWalSync>(database.WriteGate.Durability);

        await using (var connection = await database.OpenAsync(TestContext.Current.CancellationToken))
        {
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA synchronous";
            Assert.Equal(1L, await pragma.ExecuteScalarAsync(TestContext.Current.CancellationToken)); // NORMAL
        }

        var before = durability.Syncs;
        await using (await database.WriteGate.EnterAsync(TestContext.Current.CancellationToken))
        {
            await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
            await using var insert = connection.CreateCommand();
            insert.CommandText = "CREATE TABLE IF NOT EXISTS durability_probe (x INTEGER); INSERT INTO durability_probe VALUES (1)";
            await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        Assert.True(File.Exists(path + "-wal"));
        Assert.True(durability.Syncs > before, "the turn ended before the WAL was synced");
    }

    [Fact]
    public async Task Concurrent_writers_share_one_sync()
    {
        using var data = new TempDirectory("durability");
        var path = Path.Combine(data.Path, "shared.db");
        await using var keepOpen = new SqliteConnection(StorageConnections.Sqlite(path));
        await keepOpen.OpenAsync(TestContext.Current.CancellationToken);
        await using (var wal = keepOpen.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);";
            await wal.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        var durability = new SqliteWalSync(path);

        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => durability.WaitAsync()));

        Assert.InRange(durability.Syncs, 1, 20); // one sync per round, not one per writer
    }

    [Fact]
    public async Task A_database_whose_wal_was_checkpointed_away_needs_no_sync()
    {
        using var data = new TempDirectory("durability");
        var durability = new SqliteWalSync(Path.Combine(data.Path, "closed.db"));

        await durability.WaitAsync().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(0, durability.Syncs);
    }

    [Fact]
    public void An_in_memory_database_has_nothing_to_sync()
    {
        Assert.Null(SqliteWalSync.For("Data Source=:memory:"));
        Assert.Null(SqliteWalSync.For("Data Source=shared;Mode=Memory;Cache=Shared"));
        Assert.NotNull(SqliteWalSync.For(StorageConnections.Sqlite("/tmp/x.db")));
    }
}
