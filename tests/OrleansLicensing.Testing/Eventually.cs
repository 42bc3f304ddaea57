namespace OrleansLicensing.Testing;

/// <summary>Polls with a deadline instead of sleeping for a guessed time.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> at the deadline.</summary>
    public static async Task True(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>>? describeFailure = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var detail = describeFailure is null ? "" : $": {await describeFailure()}";
                throw new TimeoutException($"condition not met within {timeout}{detail}");
            }
            await Task.Delay(Interval);
        }
    }

    /// <summary>Retries <paramref name="call"/> until it succeeds; the last failure escapes at the deadline.</summary>
    public static async Task<T> Succeeds<T>(Func<Task<T>> call, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(Interval);
            }
        }
    }
}
