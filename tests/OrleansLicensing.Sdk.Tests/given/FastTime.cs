using System.Collections.Concurrent;

namespace OrleansLicensing.Sdk.given;

/// <summary>
/// A clock for the SDK whose timers run <c>factor</c> times faster than asked (a 10 s heartbeat interval
/// fires after 50 ms at 200×) and whose "now" can be moved forward. Every requested wait is recorded,
/// so tests assert the delays the SDK chose without waiting for them.
/// </summary>
public sealed class FastTime(double factor = 200) : TimeProvider
{
    private long _offsetTicks;

    /// <summary>Every finite due time the SDK asked for, in order.</summary>
    public ConcurrentQueue<TimeSpan> RequestedWaits { get; } = new();

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan delta) => Interlocked.Add(ref _offsetTicks, delta.Ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan) RequestedWaits.Enqueue(dueTime);
        return base.CreateTimer(callback, state, Scale(dueTime), Scale(period));
    }

    private TimeSpan Scale(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero ? span : TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (long)(span.Ticks / factor)));
}
