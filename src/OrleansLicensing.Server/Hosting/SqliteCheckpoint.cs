namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// Copies the embedded SQLite database's WAL into the database file in the background, a passive
/// checkpoint every <see cref="Every"/>. Left to itself, SQLite checkpoints inside the commit that
/// takes the WAL past 1,000 pages, so that commit, and through <see cref="StorageWriteGate"/> every
/// write queued behind it (the account debits a validate waits for), waited for the copy and the
/// database file's <c>fsync</c>; under load that was several times a second. A passive checkpoint
/// runs beside the writers: it takes no write lock and never waits for one.
/// </summary>
/// <remarks>
/// SQLite starts the WAL file over only when a writer finds every frame copied. Under steady writes
/// the frames appended while this job copies keep that from happening, so the WAL grows to
/// <see cref="SqliteDataSource.BackstopPages"/> (about 40 MiB), where a commit's own checkpoint
/// copies what is left (about a tenth of it in the benchmark) and the WAL starts over; when writes pause, the next
/// writer after this job's checkpoint starts it over. The backstop also bounds the WAL where this
/// job does not run (the grain test clusters do not start the jobs). The host registers it only on
/// SQLite (<see cref="BackgroundJobs"/>). Durability is SQLite's: a
/// checkpoint syncs the WAL before it copies and the database file before the WAL may be reused, and
/// acknowledged commits are durable in the WAL already (<see cref="SqliteWalSync"/>).
/// </remarks>
public sealed class SqliteCheckpoint(LicensingDatabase database, TimeProvider time, ILogger<SqliteCheckpoint> logger) : PeriodicJob(time, logger)
{
    /// <summary>Time between two checkpoints.</summary>
    internal static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);

    protected override TimeSpan Interval => Every;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        if (database.SqliteConnections is not { } sqlite) return;
        await using var connection = await sqlite.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
