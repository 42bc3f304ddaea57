namespace OrleansLicensing.Sdk.Protocol;

/// <summary>
/// Delays between attempts, exactly as docs/protocol.md §17.5 gives them:
/// <c>delay = min(RetryMaxDelay, RetryBaseDelay × 2^(k−1)) × U</c> with U uniform in [0.8, 1.2];
/// <c>delay = max(delay, Retry-After)</c>; a delay beyond <c>RetryMaxDelay</c> ends retrying.
/// </summary>
/// <param name="baseDelay"><c>RetryBaseDelay</c>.</param>
/// <param name="maxDelay"><c>RetryMaxDelay</c>.</param>
/// <param name="random">A source of values uniform in [0, 1) (tests fix it); <see cref="Random.Shared"/> by default.</param>
internal sealed class RetryPolicy(TimeSpan baseDelay, TimeSpan maxDelay, Func<double>? random = null)
{
    private const double MinJitter = 0.8;
    private const double JitterRange = 0.4;

    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    /// <summary>
    /// The wait before the attempt after failed attempt <paramref name="attempt"/> (k, 1-based), or null when
    /// retrying must stop because that wait — jitter or <paramref name="retryAfter"/> included — is beyond
    /// <c>RetryMaxDelay</c>.
    /// </summary>
    public TimeSpan? DelayAfter(int attempt, TimeSpan? retryAfter)
    {
        var backoff = Math.Min(maxDelay.Ticks, baseDelay.Ticks * Math.Pow(2, attempt - 1));
        // The jitter is applied after the cap, as §17.5 writes it: near the cap it can push the delay over it,
        // and then retrying ends like it does for a Retry-After beyond the cap.
        var delay = TimeSpan.FromTicks((long)Math.Round(backoff * (MinJitter + JitterRange * _random())));
        if (retryAfter is { } s && s > delay) delay = s;
        return delay > maxDelay ? null : delay;
    }
}
