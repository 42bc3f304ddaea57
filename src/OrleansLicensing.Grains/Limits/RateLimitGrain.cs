namespace OrleansLicensing.Limits;

/// <summary>
/// One token bucket in memory. One activation per bucket name in the whole cluster, so the limit is
/// exact across silos (auth-protocol.md §14.2 allows approximation; this does not need it).
/// </summary>
public sealed class RateLimitGrain(TimeProvider time) : Grain, IRateLimitGrain
{
    private double _tokens = double.NaN;
    private long _updatedAt;

    public Task<RateDecision> TryTake(TokenBucketSpec spec)
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
            return Task.FromResult(RateDecision.Allow);
        }
        // Whole seconds until one token is back, rounded up, at least 1 (§14.3).
        var wait = spec.RefillPerSecond > 0 ? (1 - _tokens) / spec.RefillPerSecond : 3600;
        return Task.FromResult(new RateDecision(false, Math.Max(1, (int)Math.Ceiling(wait - 1e-9))));
    }
}
