namespace OrleansLicensing.Sdk.Protocol;

/// <summary>Delays between attempts (§17.5): jittered exponential backoff, at least <c>Retry-After</c>, never beyond the cap.</summary>
internal sealed class RetryPolicy(TimeSpan baseDelay, TimeSpan maxDelay, Func<double>? random = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    /// <summary>
    /// The wait before the attempt after failed attempt <paramref name="attempt"/> (1-based), or null when
    /// retrying must stop because the server asks for a longer wait than the cap allows.
    /// </summary>
    public TimeSpan? DelayAfter(int attempt, TimeSpan? retryAfter)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var capped = Math.Min(maxDelay.TotalMilliseconds, exponential);
        var jitter = 0.8 + 0.4 * _random();
        // The jitter alone never ends retrying: the jittered backoff is held at the cap.
        var delay = TimeSpan.FromMilliseconds(Math.Min(maxDelay.TotalMilliseconds, capped * jitter));
        if (retryAfter is { } s && s > delay) delay = s;
        return delay > maxDelay ? null : delay;
    }
}
