using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// The grain storage's connections to the embedded SQLite database, kept open between uses together
/// with their prepared statements. The ADO.NET provider runs the same few statements (read, write,
/// clear) for every grain, on a new command each time, and SQLite compiles a statement that writes
/// the grain-state table together with every projection trigger on it (scripts/sql/sqlite/0011 and
/// 0050): a profile of many small account writes spent over a quarter of the server's CPU in that
/// compilation (docs/benchmarks.md). Here a statement is compiled once per connection and rebound
/// for every later use.
/// </summary>
/// <remarks>
/// A lease (<see cref="DbDataSource.OpenConnectionAsync"/>) is one caller's, as with any pooled
/// connection; ending it returns the connection to the pool. A lease that ends with a command that
/// failed, or with a reader still open, closes its connection instead, so no statement is reused in
/// an unknown state. Durability is unchanged: the connection comes from <see cref="SqliteDataSource"/>
/// (<c>synchronous=NORMAL</c>), and every write still takes the write gate and its shared <c>fsync</c>.
/// </remarks>
public sealed class StatementCachingSqliteDataSource(SqliteDataSource inner, int maxIdle = 8) : DbDataSource
{
    private readonly Lock _lock = new();
    private readonly Stack<PooledConnection> _idle = new();
    private long _opened;
    private bool _disposed;

    /// <inheritdoc />
    public override string ConnectionString => inner.ConnectionString;

    /// <summary>Native connections opened since start (a connection is reused until it is discarded).</summary>
    public long Opened => Interlocked.Read(ref _opened);

    /// <inheritdoc />
    /// <remarks>An unopened connection without the statement cache; the provider opens through the source.</remarks>
    protected override DbConnection CreateDbConnection() => inner.CreateConnection();

    /// <inheritdoc />
    protected override DbConnection OpenDbConnection() => new Lease(this, TakeIdle() ?? Open((SqliteConnection)inner.OpenConnection()));

    /// <inheritdoc />
    protected override async ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken = default) =>
        new Lease(this, TakeIdle() ?? Open((SqliteConnection)await inner.OpenConnectionAsync(cancellationToken)));

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                _disposed = true;
                while (_idle.TryPop(out var pooled)) pooled.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    private PooledConnection Open(SqliteConnection connection)
    {
        Interlocked.Increment(ref _opened);
        return new PooledConnection(connection);
    }

    private PooledConnection? TakeIdle()
    {
        lock (_lock) return _idle.TryPop(out var pooled) ? pooled : null;
    }

    private void Return(PooledConnection pooled, bool reusable)
    {
        if (reusable && pooled.Connection.State == ConnectionState.Open)
        {
            lock (_lock)
            {
                if (!_disposed && _idle.Count < maxIdle)
                {
                    _idle.Push(pooled);
                    return;
                }
            }
        }
        pooled.Dispose();
    }

    /// <summary>An open native connection and the commands prepared on it, by SQL text.</summary>
    private sealed class PooledConnection(SqliteConnection connection) : IDisposable
    {
        public SqliteConnection Connection { get; } = connection;

        public Dictionary<string, SqliteCommand> Statements { get; } = new(StringComparer.Ordinal);

        public void Dispose()
        {
            foreach (var command in Statements.Values) command.Dispose();
            Statements.Clear();
            Connection.Dispose();
        }
    }

    /// <summary>One caller's use of a pooled connection.</summary>
    private sealed class Lease(StatementCachingSqliteDataSource source, PooledConnection pooled) : DbConnection
    {
        private readonly List<DbDataReader> _readers = [];
        private bool _faulted;
        private bool _ended;

        internal SqliteConnection Inner => _ended ? throw new ObjectDisposedException(nameof(DbConnection)) : pooled.Connection;

        [AllowNull]
        public override string ConnectionString
        {
            get => pooled.Connection.ConnectionString;
            set => throw new NotSupportedException("A pooled connection keeps its connection string.");
        }

        public override string Database => pooled.Connection.Database;

        public override string DataSource => pooled.Connection.DataSource;

        public override string ServerVersion => pooled.Connection.ServerVersion;

        public override ConnectionState State => _ended ? ConnectionState.Closed : pooled.Connection.State;

        public override void ChangeDatabase(string databaseName) => throw new NotSupportedException("SQLite has one database per connection.");

        public override void Open()
        {
            if (_ended) throw new InvalidOperationException("This connection was returned to its pool; open a new one from the data source.");
        }

        public override void Close() => End();

        protected override void Dispose(bool disposing)
        {
            if (disposing) End();
            base.Dispose(disposing);
        }

        protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => Inner.BeginTransaction(isolationLevel);

        protected override DbCommand CreateDbCommand() => new LeasedCommand(this);

        /// <summary>The prepared command for <paramref name="sql"/> on this connection.</summary>
        internal SqliteCommand Statement(string sql)
        {
            if (!pooled.Statements.TryGetValue(sql, out var command))
            {
                command = Inner.CreateCommand();
                command.CommandText = sql;
                pooled.Statements[sql] = command;
            }
            return command;
        }

        internal T Track<T>(T reader) where T : DbDataReader
        {
            _readers.Add(reader);
            return reader;
        }

        internal void Fault() => _faulted = true;

        private void End()
        {
            if (_ended) return;
            _ended = true;
            var reusable = !_faulted && _readers.TrueForAll(r => r.IsClosed);
            _readers.Clear();
            source.Return(pooled, reusable);
        }
    }

    /// <summary>A command whose SQL runs on its connection's prepared statement for that text.</summary>
    private sealed class LeasedCommand(Lease lease) : DbCommand
    {
        // Parameters are collected here and bound to the prepared command at execution.
        private readonly SqliteCommand _parameters = new();
        private SqliteCommand? _running;

        [AllowNull]
        public override string CommandText { get; set; } = "";

        public override int CommandTimeout { get; set; } = 30;

        public override CommandType CommandType
        {
            get => CommandType.Text;
            set
            {
                if (value != CommandType.Text) throw new NotSupportedException("Only text commands are supported.");
            }
        }

        public override bool DesignTimeVisible { get; set; }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection
        {
            get => lease;
            set
            {
                if (!ReferenceEquals(value, lease)) throw new NotSupportedException("A pooled command stays on its connection.");
            }
        }

        protected override DbParameterCollection DbParameterCollection => _parameters.Parameters;

        protected override DbTransaction? DbTransaction { get; set; }

        public override void Cancel() => _running?.Cancel();

        public override void Prepare()
        {
        }

        protected override DbParameter CreateDbParameter() => new SqliteParameter();

        public override int ExecuteNonQuery() => Run(static c => c.ExecuteNonQuery());

        public override object? ExecuteScalar() => Run(static c => c.ExecuteScalar());

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) =>
            lease.Track(Run(c => c.ExecuteReader(behavior)));

        private T Run<T>(Func<SqliteCommand, T> execute)
        {
            var statement = lease.Statement(CommandText);
            statement.Parameters.Clear();
            foreach (SqliteParameter parameter in _parameters.Parameters)
            {
                // Named as the SQL names them (the provider's names come without the @): one lookup per bind.
                parameter.ParameterName = DbCommandParameters.Prefixed(parameter.ParameterName);
                statement.Parameters.Add(parameter);
            }
            statement.Transaction = (SqliteTransaction?)DbTransaction;
            statement.CommandTimeout = CommandTimeout;
            _running = statement;
            try
            {
                return execute(statement);
            }
            catch
            {
                lease.Fault();
                throw;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _parameters.Dispose();
            base.Dispose(disposing);
        }
    }
}
