using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.AuthLogs;

/// <summary>
/// Deletes auth log entries older than <c>Licensing:Api:AuthLogRetentionDays</c>, at start-up and
/// then every <see cref="Every"/>, on every silo (the delete is idempotent).
/// </summary>
public sealed partial class AuthLogRetention(AuthLogStore store, LicensingSettings settings, TimeProvider time, ILogger<AuthLogRetention> logger)
    : PeriodicJob(time, logger)
{
    /// <summary>How often old entries are deleted.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromHours(1);

    private readonly TimeSpan _retention = TimeSpan.FromDays(settings.Licensing.Api.AuthLogRetentionDays);

    protected override TimeSpan Interval => Every;

    protected override bool RunsAtStart => true;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var deleted = await store.DeleteOlderThanAsync(Time.GetUtcNow() - _retention, cancellationToken: cancellationToken);
        if (deleted > 0) LogRetention(Logger, deleted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Auth log: deleted {Count} entries past retention")]
    private static partial void LogRetention(ILogger logger, long count);
}
