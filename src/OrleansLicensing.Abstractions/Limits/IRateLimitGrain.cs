namespace OrleansLicensing.Limits;

/// <summary>A token bucket: <paramref name="Capacity"/> tokens, refilled continuously at <paramref name="RefillPerSecond"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record TokenBucketSpec(
    [property: Id(0)] int Capacity,
    [property: Id(1)] double RefillPerSecond)
{
    /// <summary>A bucket of <paramref name="perMinute"/> tokens that refills completely in 60 s.</summary>
    public static TokenBucketSpec PerMinute(int perMinute) => new(perMinute, perMinute / 60.0);
}

/// <summary>Whether a request may proceed; when refused, whole seconds until one token is back (≥ 1).</summary>
[GenerateSerializer, Immutable]
public sealed record RateDecision(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] int RetryAfterSeconds)
{
    /// <summary>An admitted request.</summary>
    public static readonly RateDecision Allow = new(true, 0);
}

/// <summary>
/// One cluster-wide token bucket (docs/protocol.md §14), keyed by the bucket's name (e.g.
/// <c>rl_ip_203.0.113.9</c>). In memory: a bucket that was idle long enough to be collected would
/// have refilled anyway, so a fresh activation starting full is exact.
/// </summary>
public interface IRateLimitGrain : IGrainWithStringKey
{
    /// <summary>Takes one token if one is available; takes nothing otherwise.</summary>
    Task<RateDecision> TryTake(TokenBucketSpec spec);
}
