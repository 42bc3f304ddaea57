using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLicensing.Server.AuthLogs;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Hosting;

/// <summary>The periodic jobs of a running server (one registration, <see cref="BackgroundJobs"/>).</summary>
[Collection(SqliteServerCollection.Name)]
public sealed class BackgroundJobsTests(SqliteServer server)
{
    [Fact]
    public void Every_periodic_job_runs_once_in_the_server()
    {
        var jobs = server.Host.Services.GetServices<IHostedService>().OfType<PeriodicJob>().Select(job => job.GetType().Name).Order(StringComparer.Ordinal);

        Assert.Equal(["AuthLogRetention", "IdempotencyCleanup", "IdleMemoryTrim", "LicenseExpirySweep", "ReplayWindowPruning", "SqliteCheckpoint", "WebhookSweeper"], jobs);
    }

    [Theory]
    [InlineData(StorageProvider.Sqlite, true)]
    [InlineData(StorageProvider.PostgreSql, false)]
    public void The_SQLite_checkpoint_is_registered_on_SQLite_only(StorageProvider provider, bool registered)
    {
        var services = new ServiceCollection().AddLicensingBackgroundJobs(provider);

        Assert.Equal(registered, services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(SqliteCheckpoint)));
    }

    [Fact]
    public async Task Auth_log_retention_deletes_entries_past_the_retention_when_it_starts_and_keeps_the_rest()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = server.Host.Services.GetRequiredService<AuthLogStore>();
        var appId = Guid.NewGuid().ToString();
        var now = DateTimeOffset.UtcNow;
        AuthLogEntry Entry(DateTimeOffset at, string hwid) => new(appId, at, "validate", "success", "ABCD-EFGH-JKLM-NPQR", hwid, "192.0.2.1");
        await store.InsertAsync([Entry(now.AddDays(-31), "old"), Entry(now.AddDays(-29), "kept")], ct);

        var job = ActivatorUtilities.CreateInstance<AuthLogRetention>(server.Host.Services);
        await job.StartAsync(ct);
        try
        {
            await Eventually.True(async () => (await store.PageAsync(appId, null, 10, cancellationToken: ct)).Count == 1, TimeSpan.FromSeconds(10));
        }
        finally
        {
            await job.StopAsync(ct);
        }

        var left = await store.PageAsync(appId, null, 10, cancellationToken: ct);
        Assert.Equal(["kept"], left.Select(e => e.Entry.Hwid).ToArray());
    }
}
