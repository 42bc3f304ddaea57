namespace OrleansLicensing.Limits;

/// <summary>
/// The token-bucket arithmetic of docs/protocol.md §14.2, for whichever single activation owns a
/// bucket (a <see cref="RateLimitGrain"/>, or an app for its own request bucket). Not thread-safe:
/// the owning grain's turn-based scheduling serializes calls.
/// </summary>
public sealed class TokenBucket(TimeProvider time)
{
    private double _tokens = double.NaN;
    private long _updatedAt;

    /// <summary>Takes one token if one is available; takes nothing otherwise.</summary>
    public RateDecision TryTake(TokenBucketSpec spec)
    {
        var now = time.GetTimestamp();
        if (double.IsNaN(_tokens))
        {
            _tokens = spec.Capacity; // buckets start full
        }
        else
        {
            var elapsed = time.GetElapsedTime(_updatedAt, now).TotalSeconds;
            _tokens = Math.Min(spec.Capacity, _tokens + elapsed * spec.RefillPerSecond);
        }
        _updatedAt = now;

        if (_tokens >= 1)
        {
            _tokens -= 1;
            return RateDecision.Allow;
        }
        // Whole seconds until one token is back, rounded up, at least 1 (§14.3).
        var wait = spec.RefillPerSecond > 0 ? (1 - _tokens) / spec.RefillPerSecond : 3600;
        return new RateDecision(false, Math.Max(1, (int)Math.Ceiling(wait - 1e-9)));
    }
}
