using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// The silo's writer of non-billable heartbeat counts (docs/design.md, "Heartbeat counts"), on a real
/// SQLite file and a real PostgreSQL database: a raise is stored when it completes, concurrent raises
/// share writes, a counter is never lowered, and a failed write fails its callers.
/// </summary>
public sealed class HeartbeatCounterJournalTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.PostgreSql)]
    public async Task Concurrent_raises_are_stored_when_they_complete_and_share_writes(StorageProvider provider)
    {
        using var data = new TempDirectory("hb-journal");
        var (database, journal) = await OpenAsync(provider, data.Path);
        var licenses = Enumerable.Range(0, 40).Select(i => $"KEY{i:D2}-AAAA-BBBB-CCCC").ToArray();

        // 40 licenses × 25 heartbeats, all at once, in no particular order.
        var raises = licenses.SelectMany(key => Enumerable.Range(1, 25).Select(count => (key, count)))
            .OrderBy(_ => Random.Shared.Next())
            .Select(r => journal.RaiseAsync(r.key, r.count))
            .ToArray();
        await Task.WhenAll(raises);

        foreach (var key in licenses) Assert.Equal(25, await journal.ReadAsync(key));
        Assert.Equal(0, await journal.ReadAsync("NONE-NONE-NONE-NONE"));
        var read = await journal.ReadAsync([.. licenses, "NONE-NONE-NONE-NONE"]);
        Assert.Equal(licenses.Order().ToArray(), read.Keys.Order().ToArray()); // one read; a license without a row is absent
        Assert.All(read.Values, count => Assert.Equal(25, count));
        Assert.InRange(journal.Writes, 1, raises.Length / 10); // grouped: far fewer writes than heartbeats
        Assert.Equal(licenses.Length, await CountRows(database));
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite)]
    [InlineData(StorageProvider.PostgreSql)]
    public async Task A_counter_is_never_lowered(StorageProvider provider)
    {
        using var data = new TempDirectory("hb-journal");
        var (_, journal) = await OpenAsync(provider, data.Path);

        await journal.RaiseAsync("LOWR-AAAA-BBBB-CCCC", 7);
        await journal.RaiseAsync("LOWR-AAAA-BBBB-CCCC", 3);
        Assert.Equal(7, await journal.ReadAsync("LOWR-AAAA-BBBB-CCCC"));

        await journal.RaiseAsync("LOWR-AAAA-BBBB-CCCC", 8);
        Assert.Equal(8, await journal.ReadAsync("LOWR-AAAA-BBBB-CCCC"));
    }

    [Fact]
    public async Task Under_load_writes_start_at_most_once_per_window_and_a_full_batch_goes_at_once()
    {
        using var data = new TempDirectory("hb-journal");
        var (_, journal) = await OpenAsync(StorageProvider.Sqlite, data.Path, TimeSpan.FromSeconds(2), fullBatch: 5);

        // The first raise after a quiet period is written at once.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await journal.RaiseAsync("WIN0-AAAA-BBBB-CCCC", 1);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromMilliseconds(1900));

        // Right after it, two raises wait out the rest of the window and share one write.
        await Task.WhenAll(journal.RaiseAsync("WIN1-AAAA-BBBB-CCCC", 1), journal.RaiseAsync("WIN2-AAAA-BBBB-CCCC", 1));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1990), TimeSpan.FromSeconds(30));
        Assert.Equal(2, journal.Writes);

        // Five licenses fill a batch: written without waiting for the window (started just now).
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => journal.RaiseAsync($"FUL{i}-AAAA-BBBB-CCCC", 1)));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromMilliseconds(1900));
        Assert.Equal(3, journal.Writes);
        foreach (var key in new[] { "WIN1-AAAA-BBBB-CCCC", "WIN2-AAAA-BBBB-CCCC", "FUL4-AAAA-BBBB-CCCC" }) Assert.Equal(1, await journal.ReadAsync(key));
    }

    [Fact]
    public async Task The_server_takes_the_counter_writes_full_batch_from_its_own_setting_not_the_accounts()
    {
        using var data = new TempDirectory("hb-journal-host");
        var settings = LicensingTestHost.SqliteSettings(data.Path);
        settings["Licensing:Storage:GroupCommitWindow"] = "00:00:01"; // the longest allowed
        settings["Licensing:Storage:GroupCommitBatch"] = "1";
        settings["Licensing:Storage:HeartbeatCounterBatch"] = "3";
        await using var host = await LicensingTestHost.StartAsync(settings);
        var journal = host.Services.GetRequiredService<HeartbeatCounterJournal>();

        await journal.RaiseAsync("HOST-AAAA-BBBB-CCCC", 1); // the first after a quiet period: at once
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Two licenses are not a full batch of 3 (they would be of the accounts' 1): they wait out the window.
        await Task.WhenAll(journal.RaiseAsync("HOS1-AAAA-BBBB-CCCC", 1), journal.RaiseAsync("HOS2-AAAA-BBBB-CCCC", 1));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(30));

        // Three are: written without waiting for the window that started just now.
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => journal.RaiseAsync($"HFL{i}-AAAA-BBBB-CCCC", 1)));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task A_failed_write_fails_its_callers_and_the_next_write_works()
    {
        using var data = new TempDirectory("hb-journal");
        var (database, journal) = await OpenAsync(StorageProvider.Sqlite, data.Path);
        await journal.RaiseAsync("FAIL-AAAA-BBBB-CCCC", 1);

        await Sql(database, "ALTER TABLE licensing_heartbeat_counts RENAME TO licensing_heartbeat_counts_away");
        await Assert.ThrowsAnyAsync<Exception>(() => journal.RaiseAsync("FAIL-AAAA-BBBB-CCCC", 2));
        await Sql(database, "ALTER TABLE licensing_heartbeat_counts_away RENAME TO licensing_heartbeat_counts");

        Assert.Equal(1, await journal.ReadAsync("FAIL-AAAA-BBBB-CCCC"));
        await journal.RaiseAsync("FAIL-AAAA-BBBB-CCCC", 2);
        Assert.Equal(2, await journal.ReadAsync("FAIL-AAAA-BBBB-CCCC"));
    }

    private static async Task<(LicensingDatabase Database, HeartbeatCounterJournal Journal)> OpenAsync(StorageProvider provider, string directory, TimeSpan window = default, int fullBatch = 0)
    {
        var connectionString = provider == StorageProvider.PostgreSql
            ? await PostgresServer.CreateDatabaseAsync()
            : StorageConnections.Sqlite(Path.Combine(directory, "licensing.db"));
        await SchemaMigrator.ApplyAsync(provider, connectionString, NullLogger.Instance, cancellationToken: Cancel);
        var database = new LicensingDatabase(provider, connectionString);
        return (database, new HeartbeatCounterJournal(new SqlRequestPathStore(database), window: window, fullBatch: fullBatch));
    }

    private static async Task<long> CountRows(LicensingDatabase database)
    {
        await using var connection = await database.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM licensing_heartbeat_counts";
        return Convert.ToInt64(await command.ExecuteScalarAsync(Cancel), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task Sql(LicensingDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Cancel);
    }
}
