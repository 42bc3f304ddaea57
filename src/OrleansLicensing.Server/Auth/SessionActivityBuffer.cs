using System.Collections.Concurrent;
using OrleansLicensing.Sessions;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Session records (docs/protocol.md §5.5) are observability only, so a heartbeat does not call its
/// session grain: it leaves its activity here, and this silo hands the latest activity of each
/// session (with the number of heartbeats since the last hand-over) to the session grains once a
/// second, one-way. A crash loses at most that second of records; nothing depends on them.
/// </summary>
public sealed class SessionActivityBuffer(IGrainFactory grains, TimeProvider time, ILogger<SessionActivityBuffer> logger) : BackgroundService
{
    /// <summary>How often buffered activity is handed over.</summary>
    internal static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    private ConcurrentDictionary<string, SessionActivity> _pending = new(StringComparer.Ordinal);

    /// <summary>Notes one successful heartbeat of session <paramref name="sid"/>.</summary>
    public void Record(string sid, SessionActivity activity) =>
        _pending.AddOrUpdate(sid, static (_, latest) => latest, static (_, earlier, latest) => latest with { Heartbeats = earlier.Heartbeats + latest.Heartbeats }, activity);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) Flush();
        }
        catch (OperationCanceledException)
        {
        }
        Flush();
    }

    private void Flush()
    {
        if (_pending.IsEmpty) return;
        var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, SessionActivity>(StringComparer.Ordinal));
        foreach (var (sid, activity) in batch)
        {
            try
            {
                _ = grains.Reference<ISessionGrain>(ISessionGrain.KeyFor(sid)).Record(activity);
            }
            catch (Exception error)
            {
                logger.LogDebug(error, "Handing session activity to its grain failed");
            }
        }
    }
}
