namespace OrleansLicensing.Webhooks;

/// <summary>
/// How webhooks are delivered (<c>Licensing:Webhooks:*</c>). The defaults are the production values of
/// docs/developer-api.md §4.4: 10 s timeout, backoff from 10 s doubling up to 6 h, 12 attempts.
/// </summary>
public sealed record WebhookDeliveryOptions
{
    /// <summary>Whether URLs may be <c>http://</c> and resolve to loopback/private/link-local addresses.</summary>
    public bool AllowPrivateTargets { get; init; }

    /// <summary>Delay after the first failed attempt; doubles after each further failure.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest delay between two automatic attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromHours(6);

    /// <summary>Automatic attempts before a delivery is <c>failed</c>.</summary>
    public int MaxAttempts { get; init; } = 12;

    /// <summary>Time a receiver has to answer one request.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each silo looks for accounts with undispatched events or due deliveries.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long dispatched events and finished (delivered or failed) deliveries are kept.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>When the next automatic attempt is due after <paramref name="attempts"/> failed ones, or <c>null</c> when none is left.</summary>
    public DateTimeOffset? NextAttemptAfter(int attempts, DateTimeOffset now)
    {
        if (attempts >= MaxAttempts) return null;
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var delay = TimeSpan.FromTicks((long)Math.Min(RetryBaseDelay.Ticks * Math.Pow(2, exponent), MaxRetryDelay.Ticks));
        return now + delay;
    }
}
