namespace OrleansLicensing.Limits;

/// <summary>
/// One token bucket in memory. One activation per bucket name in the whole cluster, so the limit is
/// exact across silos (docs/protocol.md §14.2 allows approximation; this does not need it).
/// </summary>
public sealed class RateLimitGrain(TimeProvider time) : Grain, IRateLimitGrain
{
    private readonly TokenBucket _bucket = new(time);

    public Task<RateDecision> TryTake(TokenBucketSpec spec) => Task.FromResult(_bucket.TryTake(spec));
}
