using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// Group commit of durability for the embedded SQLite database. Every write of this process commits
/// with <c>synchronous=NORMAL</c> (its WAL frames reach the operating system, not yet the disk), and is
/// acknowledged only after <see cref="WaitAsync"/>: an <c>fsync</c> of the WAL file that began after
/// the commit returned. One <c>fsync</c> (about 1 ms here) thus covers every commit that finished
/// while the previous one ran, instead of one <c>fsync</c> per commit held under SQLite's single write
/// lock (<see cref="StorageWriteGate"/>). The guarantee is the one of <c>synchronous=FULL</c>: an
/// acknowledged write survives a process crash and a power loss (docs/design.md, "Durability on SQLite").
/// </summary>
/// <remarks>
/// The WAL file is opened by path for each <c>fsync</c>; SQLite keeps no locks on it (its WAL locks
/// live in the <c>-shm</c> file), so opening and closing it does not disturb SQLite's POSIX locks. If
/// the WAL is absent, the last connection closed and SQLite checkpointed it into the database with a
/// sync of its own, so there is nothing left to make durable. A WAL restarted after a checkpoint is the
/// same file; a WAL deleted and created again between our open and our <c>fsync</c> was checkpointed
/// (and synced) before it was deleted.
/// </remarks>
public sealed class SqliteWalSync
{
    private readonly string _walPath;
    private readonly Lock _lock = new();
    private TaskCompletionSource? _next;
    private bool _running;
    private long _syncs;

    /// <summary>A barrier for the database file <paramref name="databasePath"/>.</summary>
    public SqliteWalSync(string databasePath) => _walPath = Path.GetFullPath(databasePath) + "-wal";

    /// <summary>The barrier for a SQLite connection string, or <c>null</c> for a database that is not a file.</summary>
    public static SqliteWalSync? For(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var path = builder.DataSource;
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(path) || path == ":memory:") return null;
        return new SqliteWalSync(path);
    }

    /// <summary><c>fsync</c> calls made since start.</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>Completes after an <c>fsync</c> of the WAL that started after this call.</summary>
    public Task WaitAsync()
    {
        lock (_lock)
        {
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var waiting = _next.Task;
            if (!_running)
            {
                _running = true;
                ThreadPool.UnsafeQueueUserWorkItem(static sync => sync.Run(), this, preferLocal: false);
            }
            return waiting;
        }
    }

    private void Run()
    {
        while (true)
        {
            TaskCompletionSource round;
            lock (_lock)
            {
                if (_next is null)
                {
                    _running = false;
                    return;
                }
                round = _next;
                _next = null;
            }
            try
            {
                SyncWal();
                round.SetResult();
            }
            catch (Exception error)
            {
                // The writes of this round are committed but their durability is unknown: the
                // callers fail (and retry with the same operation ids, which are idempotent).
                round.SetException(error);
            }
        }
    }

    private void SyncWal()
    {
        FileStream wal;
        try
        {
            wal = new FileStream(_walPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (FileNotFoundException)
        {
            return; // checkpointed and removed by SQLite, which synced the database first
        }
        using (wal)
        {
            wal.Flush(flushToDisk: true);
        }
        Interlocked.Increment(ref _syncs);
    }
}

/// <summary>
/// The connections of this process to the embedded SQLite database, for the Orleans providers and the
/// product's own tables alike: each native connection is switched to <c>synchronous=NORMAL</c> once,
/// because the durability of a commit comes from <see cref="SqliteWalSync"/>, and its inline
/// checkpoint is moved to <see cref="BackstopPages"/>, because <see cref="SqliteCheckpoint"/> does it.
/// </summary>
public sealed class SqliteDataSource(string connectionString) : DbDataSource
{
    private static readonly ConditionalWeakTable<object, object> Prepared = [];

    /// <inheritdoc />
    public override string ConnectionString { get; } = connectionString;

    /// <inheritdoc />
    protected override DbConnection CreateDbConnection() => new SqliteConnection(ConnectionString);

    /// <inheritdoc />
    protected override DbConnection OpenDbConnection()
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            connection.Open();
            Prepare(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    protected override async ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            Prepare(connection);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// WAL size (pages) at which a commit checkpoints inline (SQLite's default is 1,000). Under load
    /// <see cref="SqliteCheckpoint"/> has copied most of it by then, so that checkpoint is short.
    /// </summary>
    public const int BackstopPages = 10_000;

    private static void Prepare(SqliteConnection connection)
    {
        // A pooled connection keeps its native handle, and the pragma stays set on it.
        var handle = connection.Handle!;
        if (Prepared.TryGetValue(handle, out _)) return;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA synchronous=NORMAL";
            command.ExecuteNonQuery();
            command.CommandText = $"PRAGMA wal_autocheckpoint={BackstopPages}";
            command.ExecuteNonQuery();
        }
        Prepared.TryAdd(handle, handle);
    }
}
