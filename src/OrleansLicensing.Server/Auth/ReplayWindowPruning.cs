namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Deletes replay-window rows older than the window (24 h, auth-protocol.md §6) every 15 minutes. The
/// lookup ignores them from the moment they leave the window; this only bounds the table.
/// </summary>
public sealed partial class ReplayWindowPruning(SqlRequestPathStore store, TimeProvider time, ILogger<ReplayWindowPruning> logger) : BackgroundService
{
    /// <summary>How often rows are pruned.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    var pruned = await store.PruneNoncesAsync(time.GetUtcNow() - TimeSpan.FromHours(24), stoppingToken);
                    if (pruned > 0) LogPruned(pruned);
                }
                catch (Exception error) when (!stoppingToken.IsCancellationRequested)
                {
                    LogPruneFailed(error);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay window: pruned {Count} nonces older than 24 h")]
    private partial void LogPruned(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay window: pruning failed; retrying at the next interval")]
    private partial void LogPruneFailed(Exception error);
}
