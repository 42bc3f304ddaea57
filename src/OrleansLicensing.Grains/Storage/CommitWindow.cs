namespace OrleansLicensing.Storage;

/// <summary>
/// When a group commit's next write may start (docs/design.md, "Credits"): under sustained load at
/// most once per <c>window</c> after the previous write started; a batch that reaches
/// <c>fullBatch</c> operations (above 0) at once; the first write after a quiet period at once.
/// Used by an account's <see cref="GroupCommit"/> and by the silo's heartbeat counter journal.
/// </summary>
/// <remarks>
/// Callers serialize <see cref="WaitBeforeWriteAsync"/>, <see cref="WriteStarted"/> and
/// <see cref="Queued"/> (a grain's scheduler, or a lock). The one exception: the end of a wait
/// forgets its full-batch signal without the caller's lock (the heartbeat counter journal's wait ends
/// on a pool thread), so <see cref="Queued"/> reads the signal once and a call racing with the end
/// completes a signal nobody waits for any more, which is harmless.
/// </remarks>
public sealed class CommitWindow(TimeSpan window, int fullBatch, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _lastWriteStarted = long.MinValue;
    // Set while a batch waits out the window: completed by the operation that fills it.
    private TaskCompletionSource? _filled;

    /// <summary>The batch now holds <paramref name="operations"/>: a full batch ends the wait at once.</summary>
    public void Queued(int operations)
    {
        // One read of the field: the end of a wait clears it from another thread (see the remarks),
        // so a second read could find null after the first found a signal.
        if (Volatile.Read(ref _filled) is { } filled && operations >= fullBatch) filled.TrySetResult();
    }

    /// <summary>Completes when a batch of <paramref name="operations"/> may be written (at once if it may now).</summary>
    public async ValueTask WaitBeforeWriteAsync(int operations)
    {
        if (window <= TimeSpan.Zero || _lastWriteStarted == long.MinValue || (fullBatch > 0 && operations >= fullBatch)) return;
        var rest = window - _time.GetElapsedTime(_lastWriteStarted);
        if (rest <= TimeSpan.Zero) return;
        var windowEnd = Task.Delay(rest, _time);
        if (fullBatch <= 0)
        {
            await windowEnd;
            return;
        }
        // A batch that fills meanwhile does not wait for the rest of the window.
        var filled = _filled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await Task.WhenAny(windowEnd, filled.Task);
        }
        finally
        {
            _filled = null;
        }
    }

    /// <summary>A write starts now: the next batch's window counts from here. Returns the timestamp (of the time provider).</summary>
    public long WriteStarted() => _lastWriteStarted = _time.GetTimestamp();
}
