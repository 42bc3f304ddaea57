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

    private readonly ConcurrentDictionary<string, SessionActivity> _pending = new(StringComparer.Ordinal);

    /// <summary>Notes one successful heartbeat of session <paramref name="sid"/>.</summary>
    public void Record(string sid, SessionActivity activity) =>
        _pending.AddOrUpdate(sid, static (_, latest) => latest, static (_, earlier, latest) => latest with { Heartbeats = earlier.Heartbeats + latest.Heartbeats }, activity);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) Drain(Send);
        }
        catch (OperationCanceledException)
        {
        }
        Drain(Send);
    }

    /// <summary>
    /// Hands every buffered session to <paramref name="send"/>, each removed from the buffer by itself:
    /// a heartbeat recorded meanwhile is either in the entry removed or in a new one for the next
    /// drain, never added to an entry already handed over (as it could be to a swapped-out buffer).
    /// </summary>
    internal void Drain(Action<string, SessionActivity> send)
    {
        foreach (var (sid, _) in _pending)
        {
            if (_pending.TryRemove(sid, out var activity)) send(sid, activity);
        }
    }

    private void Send(string sid, SessionActivity activity)
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
