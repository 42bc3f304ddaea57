namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// The stop after SIGTERM (or Ctrl+C), bounded. A graceful stop lets the silo leave the cluster: its
/// grains deactivate and it writes its membership row ShuttingDown, then Dead. Orleans retries those
/// membership writes for up to a minute each while the database is unreachable, whatever the host's
/// shutdown timeout says, so a silo whose PostgreSQL was down took about two minutes to exit. Here the
/// storage is asked while the stop runs: once it does not answer, the stop gets
/// <see cref="UnreachableGrace"/> more and the process then exits without waiting for the rest (nothing
/// more could be written anyway; the other silos declare it dead by their probes). With the storage
/// answering, the stop runs as before, cut only at <see cref="Bound"/>.
/// </summary>
public static partial class GracefulStop
{
    /// <summary>How long the host lets its services stop before it cancels their stop token.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The longest a stop may take with the storage answering: the host's timeout, and a little for the silo to act on it.</summary>
    public static readonly TimeSpan Bound = ShutdownTimeout + TimeSpan.FromSeconds(10);

    /// <summary>How much longer a stop may run once the storage stopped answering.</summary>
    public static readonly TimeSpan UnreachableGrace = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Waits for the stop signal, stops the host within the bounds above, and returns whether it stopped
    /// in full (then dispose it); <c>false</c> when the stop was cut short (do not dispose it: that would
    /// wait for the stop that was abandoned).
    /// </summary>
    public static async Task<bool> WaitForShutdownAsync(WebApplication app)
    {
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var settings = app.Services.GetRequiredService<LicensingSettings>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansLicensing.Shutdown");
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (lifetime.ApplicationStopping.Register(() => stopping.TrySetResult()))
        {
            await stopping.Task;
        }

        var started = TimeProvider.System.GetTimestamp();
        using var cut = new CancellationTokenSource(Bound);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cut.Token);
        var stop = app.StopAsync(CancellationToken.None);
        var watch = WatchStorageAsync(settings, cut, started, logger, watching.Token);
        try
        {
            await stop.WaitAsync(cut.Token);
            return true;
        }
        catch (OperationCanceledException) when (cut.IsCancellationRequested)
        {
            LogStopCutShort(logger, (int)TimeProvider.System.GetElapsedTime(started).TotalSeconds);
            FlushLogs(app);
            return false;
        }
        finally
        {
            await watching.CancelAsync();
            await watch;
        }
    }

    /// <summary>Asks the storage every second until the stop ends; the first time it does not answer, the stop's bound shrinks to <see cref="UnreachableGrace"/>.</summary>
    private static async Task WatchStorageAsync(LicensingSettings settings, CancellationTokenSource cut, long started, ILogger logger, CancellationToken watching)
    {
        try
        {
            while (true)
            {
                if (!await StorageHealthCheck.AnswersAsync(settings, ProbeTimeout, watching))
                {
                    if (watching.IsCancellationRequested) return;
                    LogStorageUnreachable(logger, settings.Provider, (int)UnreachableGrace.TotalSeconds);
                    var left = Bound - TimeProvider.System.GetElapsedTime(started);
                    cut.CancelAfter(left < UnreachableGrace ? TimeSpan.FromTicks(Math.Max(0, left.Ticks)) : UnreachableGrace);
                    return;
                }
                await Task.Delay(ProbeEvery, watching);
            }
        }
        catch (OperationCanceledException) when (watching.IsCancellationRequested)
        {
            // The stop ended (or was cut short).
        }
    }

    /// <summary>The console logger writes from a queue; exiting without disposing the host would drop its last lines.</summary>
    private static void FlushLogs(WebApplication app)
    {
        foreach (var provider in app.Services.GetServices<ILoggerProvider>()) provider.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Provider} database does not answer while the server stops; the stop gets {Seconds} s more, then the process exits without waiting for the silo to leave the cluster (the other silos declare it dead)")]
    private static partial void LogStorageUnreachable(ILogger logger, StorageProvider provider, int seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stop did not finish within {Seconds} s; exiting without waiting for it")]
    private static partial void LogStopCutShort(ILogger logger, int seconds);
}
