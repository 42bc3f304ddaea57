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
public class SqliteGrainCluster : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("grains");
    private readonly int _silos;

    /// <summary>One silo.</summary>
    public SqliteGrainCluster() : this(1)
    {
    }

    /// <summary><paramref name="silos"/> silos sharing the SQLite file (for failover tests).</summary>
    protected SqliteGrainCluster(int silos) => _silos = silos;

    /// <summary>The master key the grains encrypt secrets with.</summary>
    public static readonly byte[] MasterKey = Convert.FromBase64String(LicensingTestHost.MasterKey);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string DatabasePath => System.IO.Path.Combine(_directory.Path, "licensing.db");

    public string ConnectionString => StorageConnections.Sqlite(DatabasePath);

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The time the grains see.</summary>
    public ShiftableClock Clock { get; } = new();

    public virtual async ValueTask InitializeAsync()
    {
        await SchemaMigrator.ApplyAsync(StorageProvider.Sqlite, ConnectionString, NullLogger.Instance);
        var builder = new InProcessTestClusterBuilder((short)_silos);
        var connectionString = ConnectionString;
        var clock = Clock;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<TimeProvider>(clock);
            silo.Services.AddSingleton(new OrleansLicensing.Security.SecretProtector(MasterKey));
            silo.AddLicensingGrainStorage(StorageConnections.SqliteInvariant, connectionString);
        });
        Configure(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Extra configuration of the cluster (e.g. fast failure detection).</summary>
    protected virtual void Configure(InProcessTestClusterBuilder builder)
    {
    }

    /// <summary>Runs SQL against the cluster's database file and returns the first column of the first row.</summary>
    public async Task<object?> ExecuteSqlAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteScalarAsync();
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _directory.Dispose();
        GC.SuppressFinalize(this);
    }
}
