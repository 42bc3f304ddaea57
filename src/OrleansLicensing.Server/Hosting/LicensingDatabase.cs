using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// Connections to the product's database for the tables that are not grain state (event outbox,
/// webhook deliveries, license index, auth logs, idempotency records). The same database and
/// schema files as the Orleans providers; one instance per silo.
/// </summary>
public sealed class LicensingDatabase(StorageProvider provider, string connectionString)
{
    /// <summary>Which engine the SQL must be written for.</summary>
    public StorageProvider Provider { get; } = provider;

    /// <summary>Whether the engine is PostgreSQL (else SQLite).</summary>
    public bool IsPostgres => Provider == StorageProvider.PostgreSql;

    /// <summary>The turn every write of this process takes on SQLite (grain state and the product's own tables).</summary>
    public StorageWriteGate WriteGate { get; } = new(serialize: provider != StorageProvider.PostgreSql);

    /// <summary>An open connection; dispose it after use (connections are pooled).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = IsPostgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
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
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        var dbType = type ?? (value is null ? System.Data.DbType.String : null);
        if (dbType is not null) parameter.DbType = dbType.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
