namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// The one shape of the silo's background work (expiry sweep, idempotency cleanup, replay-window
/// pruning, webhook sweep, auth-log retention, idle memory trim, SQLite checkpoint): <see cref="RunOnceAsync"/> every
/// <see cref="Interval"/> on the injected clock. A failed run is logged and the next tick tries
/// again (storage may be away, or the silo not serving yet); stopping the host ends the loop.
/// </summary>
public abstract partial class PeriodicJob : BackgroundService
{
    protected PeriodicJob(TimeProvider time, ILogger logger)
    {
        Time = time;
        Logger = logger;
    }

    /// <summary>The clock the job's timer and its own decisions use.</summary>
    protected TimeProvider Time { get; }

    /// <summary>The job's logger (its own category).</summary>
    protected ILogger Logger { get; }

    /// <summary>Time between two runs.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>Whether the first run is at start-up rather than one interval after it.</summary>
    protected virtual bool RunsAtStart => false;

    /// <summary>One run of the job.</summary>
    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, Time);
        try
        {
            if (RunsAtStart) await RunGuardedAsync(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RunGuardedAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunGuardedAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunOnceAsync(stoppingToken);
        }
        catch (Exception error) when (!stoppingToken.IsCancellationRequested)
        {
            LogRunFailed(Logger, GetType().Name, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background job {Job} failed; retrying at the next interval")]
    private static partial void LogRunFailed(ILogger logger, string job, Exception error);
}
