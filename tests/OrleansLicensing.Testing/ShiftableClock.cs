namespace OrleansLicensing.Testing;

/// <summary>
/// Real time plus an offset that tests move forward. Orleans shares the TimeProvider, so time must
/// keep flowing; tests only shift it (e.g. to the start of a minute) instead of freezing it.
/// </summary>
public sealed class ShiftableClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves time forward to one second past the start of the next UTC minute.</summary>
    public void ShiftToStartOfNextMinute()
    {
        var now = GetUtcNow();
        var next = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1).AddSeconds(1);
        Interlocked.Add(ref _offsetTicks, (next - now).Ticks);
    }

    /// <summary>Moves time forward by <paramref name="delta"/>.</summary>
    public void Advance(TimeSpan delta) => Interlocked.Add(ref _offsetTicks, delta.Ticks);
}
