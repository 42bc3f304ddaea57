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

    /// <summary>While a job keeps failing, how often it says so again (the first failure is logged in full).</summary>
    public static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(1);

    private int _consecutiveFailures;
    private DateTimeOffset _lastFailureLogged;

    private async Task RunGuardedAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunOnceAsync(stoppingToken);
            if (_consecutiveFailures > 0) LogRecovered(Logger, GetType().Name, _consecutiveFailures);
            _consecutiveFailures = 0;
        }
        catch (Exception error) when (!stoppingToken.IsCancellationRequested)
        {
            // A job that runs every 250 ms against a store that keeps failing (a read-only database) logged
            // a stack trace four times a second: the first failure in full, then one line a minute.
            _consecutiveFailures++;
            var now = Time.GetUtcNow();
            if (_consecutiveFailures == 1)
            {
                LogRunFailed(Logger, GetType().Name, error);
                _lastFailureLogged = now;
            }
            else if (now - _lastFailureLogged >= FailureLogInterval)
            {
                LogStillFailing(Logger, GetType().Name, _consecutiveFailures, error.GetType().Name, StartupChecks.OneLine(error.Message));
                _lastFailureLogged = now;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background job {Job} failed; retrying at the next interval")]
    private static partial void LogRunFailed(ILogger logger, string job, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Background job {Job} still failing ({Failures} runs in a row): {ErrorType}: {Error}")]
    private static partial void LogStillFailing(ILogger logger, string job, int failures, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Background job {Job} ran again after {Failures} failed runs")]
    private static partial void LogRecovered(ILogger logger, string job, int failures);
}
