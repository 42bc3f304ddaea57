namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Deletes replay-window rows older than the window (24 h, docs/protocol.md §6) every 15 minutes. The
/// lookup ignores them from the moment they leave the window; this only bounds the table.
/// </summary>
public sealed partial class ReplayWindowPruning(SqlRequestPathStore store, TimeProvider time, ILogger<ReplayWindowPruning> logger)
    : OrleansLicensing.Server.Hosting.PeriodicJob(time, logger)
{
    /// <summary>How often rows are pruned.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(15);

    protected override TimeSpan Interval => Every;

    protected override bool RunsAtStart => true;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var pruned = await store.PruneNoncesAsync(Time.GetUtcNow() - TimeSpan.FromHours(24), cancellationToken);
        if (pruned > 0) LogPruned(Logger, pruned);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay window: pruned {Count} nonces older than 24 h")]
    private static partial void LogPruned(ILogger logger, int count);
}
