using Xunit;
using Npgsql;

namespace OrleansLicensing.Testing;

/// <summary>
/// The PostgreSQL server the suite runs against: <c>ConnectionStrings__Licensing</c>, set by
/// scripts/test.sh (which starts a throwaway server when it is unset). Each test gets a database of
/// its own. Without the variable, PostgreSQL tests skip with a message, and fail when CI=true.
/// </summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "ConnectionStrings__Licensing";

    /// <summary>Whether a server is configured (for fixtures that must not skip themselves).</summary>
    public static bool Configured => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>The server's connection string, or skips (fails under CI) when none is configured.</summary>
    public static string RequireServer()
    {
        var connectionString = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(connectionString)) return connectionString;

        const string message = $"PostgreSQL tests need {EnvironmentVariable}; run scripts/test.sh, which starts a throwaway PostgreSQL 15.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message + " (CI=true: not skipping)");
        }
        Assert.Skip(message);
        return null!;
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = RequireServer();
        var name = $"lic_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        // Npgsql keeps a pool per connection string for the life of the process, and a test's
        // silos stop without closing theirs: with the default 300 s idle lifetime every test
        // database's connections would stay open until the run ends, and the suite would reach
        // the server's max_connections. Idle connections of this test's pool close after ~2 s.
        return new NpgsqlConnectionStringBuilder(server)
        {
            Database = name,
            Pooling = true,
            ConnectionIdleLifetime = 2,
            ConnectionPruningInterval = 1,
        }.ConnectionString;
    }
}
