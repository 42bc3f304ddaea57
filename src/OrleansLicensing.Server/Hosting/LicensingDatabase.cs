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
