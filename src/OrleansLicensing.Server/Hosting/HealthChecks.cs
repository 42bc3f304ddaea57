using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Orleans.Runtime;

namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// <c>/health/live</c>: the process answers (no silo, no database). <c>/health/ready</c>: the silo is
/// active, the storage answers a query, and the host is not shutting down.
/// </summary>
public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddLicensingHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<SiloActiveHealthCheck>("silo", tags: [ReadyTag])
            .AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag]);
        return services;
    }

    public static void MapLicensingHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status == HealthStatus.Healthy ? "ok" : "unavailable",
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status == HealthStatus.Healthy ? "ok" : "unavailable", detail = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}

/// <summary>Healthy when the local silo is Active in the cluster and the host is not stopping.</summary>
public sealed class SiloActiveHealthCheck(IServiceProvider services, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("shutting down"));
        }
        var oracle = services.GetService<ISiloStatusOracle>();
        var status = oracle?.CurrentStatus ?? SiloStatus.None;
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("active")
            : HealthCheckResult.Unhealthy($"silo is {status}"));
    }
}

/// <summary>Healthy when the storage database answers <c>SELECT 1</c> within 3 seconds.</summary>
public sealed class StorageHealthCheck(LicensingSettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await AnswersAsync(settings, TimeSpan.FromSeconds(3), cancellationToken)
            ? HealthCheckResult.Healthy(settings.Provider.ToString())
            : HealthCheckResult.Unhealthy($"{settings.Provider} unreachable");

    /// <summary>Whether the storage database answers <c>SELECT 1</c> within <paramref name="timeout"/> (also asked while the server stops, <see cref="GracefulStop"/>).</summary>
    public static async Task<bool> AnswersAsync(LicensingSettings settings, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await using DbConnection connection = settings.Provider == StorageProvider.PostgreSql
                ? new NpgsqlConnection(settings.PostgresConnectionString)
                : new SqliteConnection(StorageConnections.Sqlite(settings));
            await connection.OpenAsync(deadline.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(deadline.Token);
            return true;
        }
        catch (Exception error) when (error is DbException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }
}
