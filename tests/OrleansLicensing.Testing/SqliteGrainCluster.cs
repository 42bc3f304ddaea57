using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TestingHost;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Testing;

/// <summary>
/// An <see cref="InProcessTestCluster"/> whose grains persist to a real SQLite file through the
/// project's own schema and queries (the embedded default's storage path).
/// </summary>
public sealed class SqliteGrainCluster : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("grains");

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string DatabasePath => System.IO.Path.Combine(_directory.Path, "licensing.db");

    public string ConnectionString => StorageConnections.Sqlite(DatabasePath);

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The time the grains see.</summary>
    public ShiftableClock Clock { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await SchemaMigrator.ApplyAsync(StorageProvider.Sqlite, ConnectionString, NullLogger.Instance);
        var builder = new InProcessTestClusterBuilder(1);
        var connectionString = ConnectionString;
        var clock = Clock;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<TimeProvider>(clock);
            silo.AddLicensingGrainStorage(StorageConnections.SqliteInvariant, connectionString);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Runs SQL against the cluster's database file (e.g. to take storage away in a failure test).</summary>
    public async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _directory.Dispose();
    }
}
