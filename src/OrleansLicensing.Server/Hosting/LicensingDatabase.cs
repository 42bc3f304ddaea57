using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// Connections to the product's database for the tables that are not grain state (event outbox,
/// webhook deliveries, license index, auth logs, idempotency records). The same database and
/// schema files as the Orleans providers; one instance per silo.
/// </summary>
public sealed class LicensingDatabase
{
    private readonly string _connectionString;

    /// <summary>The database of <paramref name="provider"/> at <paramref name="connectionString"/>.</summary>
    public LicensingDatabase(StorageProvider provider, string connectionString)
    {
        Provider = provider;
        _connectionString = connectionString;
        if (IsPostgres)
        {
            WriteGate = new StorageWriteGate(serialize: false);
            return;
        }
        var durability = SqliteWalSync.For(connectionString);
        // Without a file there is nothing to sync: such a database commits with SQLite's defaults.
        if (durability is not null)
        {
            SqliteConnections = new SqliteDataSource(connectionString);
            GrainStateConnections = new StatementCachingSqliteDataSource(SqliteConnections);
        }
        WriteGate = new StorageWriteGate(serialize: true, durability);
    }

    /// <summary>Which engine the SQL must be written for.</summary>
    public StorageProvider Provider { get; }

    /// <summary>Whether the engine is PostgreSQL (else SQLite).</summary>
    public bool IsPostgres => Provider == StorageProvider.PostgreSql;

    /// <summary>The turn every write of this process takes on SQLite (grain state and the product's own tables).</summary>
    public StorageWriteGate WriteGate { get; }

    /// <summary>
    /// SQLite on a file: the connections whose commits are made durable by <see cref="WriteGate"/>'s
    /// shared <c>fsync</c>; every writer of the process, the Orleans grain storage included, uses them.
    /// </summary>
    public SqliteDataSource? SqliteConnections { get; }

    /// <summary>
    /// SQLite on a file: the Orleans grain storage's connections, the same as <see cref="SqliteConnections"/>
    /// but kept open with their prepared statements (<see cref="StatementCachingSqliteDataSource"/>).
    /// </summary>
    public StatementCachingSqliteDataSource? GrainStateConnections { get; }

    /// <summary>An open connection; dispose it after use (connections are pooled).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (SqliteConnections is not null) return await SqliteConnections.OpenConnectionAsync(cancellationToken);
        DbConnection connection = IsPostgres ? new NpgsqlConnection(_connectionString) : new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

/// <summary>Parameters of the product's own SQL, the same way for both engines.</summary>
public static class DbCommandParameters
{
    /// <summary>
    /// Adds <c>@name</c>. A <c>null</c> value is sent as SQL NULL, typed as text unless
    /// <paramref name="type"/> says otherwise (PostgreSQL needs a type for a bare NULL). Returns the
    /// parameter, so a prepared statement can be executed again with new values.
    /// </summary>
    public static DbParameter AddParameter(this DbCommand command, string name, object? value, System.Data.DbType? type = null)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = command is SqliteCommand ? Prefixed(name) : name;
        parameter.Value = value ?? DBNull.Value;
        var dbType = type ?? (value is null ? System.Data.DbType.String : null);
        if (dbType is not null) parameter.DbType = dbType.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> PrefixedNames = new(StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="name"/> as the SQL names it, with its <c>@</c>. Microsoft.Data.Sqlite binds a
    /// parameter named without one by looking the bare name up in the statement, failing, then
    /// building and trying each prefixed form, on every execution; named with it, one lookup.
    /// </summary>
    public static string Prefixed(string name) =>
        name.Length > 0 && name[0] is '@' or '$' or ':' ? name : PrefixedNames.GetOrAdd(name, static n => "@" + n);
}
