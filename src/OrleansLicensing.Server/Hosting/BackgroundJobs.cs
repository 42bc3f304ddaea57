namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// The one place the silo's periodic jobs (<see cref="PeriodicJob"/>) are registered. The host calls
/// <see cref="AddLicensingBackgroundJobs"/> once; the grain test clusters do not (they register the
/// stores and ports the grains use, not the loops that sweep them). Their settings are the
/// <c>Licensing:Jobs</c> section (<see cref="LicensingOptions.JobOptions"/>), except the webhook
/// sweep's interval, which is part of webhook delivery (<c>Licensing:Webhooks:SweepInterval</c>).
/// </summary>
public static class BackgroundJobs
{
    /// <summary>
    /// License expiry sweep, idempotency cleanup, replay-window pruning, webhook sweep, auth-log
    /// retention, idle memory trim and, on <paramref name="provider"/> SQLite, the checkpoint; each needs
    /// the services the host registers (license index, idempotency store, request-path store, webhook
    /// outbox, auth log store, settings).
    /// </summary>
    public static IServiceCollection AddLicensingBackgroundJobs(this IServiceCollection services, StorageProvider provider)
    {
        services.AddHostedService<OrleansLicensing.Server.Developer.Licenses.LicenseExpirySweep>();
        services.AddHostedService<OrleansLicensing.Server.Http.IdempotencyCleanup>();
        services.AddHostedService<OrleansLicensing.Server.Auth.ReplayWindowPruning>();
        services.AddHostedService<OrleansLicensing.Server.Webhooks.WebhookSweeper>();
        services.AddHostedService<OrleansLicensing.Server.AuthLogs.AuthLogRetention>();
        services.AddHostedService<IdleMemoryTrim>();
        if (provider == StorageProvider.Sqlite) services.AddHostedService<SqliteCheckpoint>();
        return services;
    }
}
