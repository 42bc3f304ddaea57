using System.Collections.Concurrent;
using OrleansLicensing.Limits;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// The per-app (V3, H3, SK3, SP3) and per-caller-IP (V4, SK4) buckets of docs/protocol.md §14, held
/// by each silo in memory: no grain call. Each silo admits its share of the limit (capacity and
/// refill divided by the number of active silos), so the cluster never admits more than the limit —
/// §14.2 allows approximation as long as the allowance is not exceeded (by more than 10 % per app,
/// 1 request per minute-limit). With one silo the limits are exact. A client whose requests all land
/// on one silo of N gets 1/N of the limit: behind a round-robin load balancer that evens out.
/// </summary>
public sealed class LocalRateLimits(TimeProvider time, IClusterMembershipService membership)
{
    /// <summary>Buckets idle this long have refilled (every §14 limit refills within a minute) and are dropped.</summary>
    internal static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(2);

    private const int SweepEvery = 4096;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private int _created;

    /// <summary>Takes a token from this silo's share of <paramref name="spec"/> for <paramref name="name"/>.</summary>
    public RateDecision TryTake(string name, TokenBucketSpec spec)
    {
        var bucket = _buckets.GetOrAdd(name, static (_, self) => self.NewBucket(), this);
        var share = Share(spec);
        lock (bucket)
        {
            bucket.LastUsed = time.GetTimestamp();
            return bucket.Tokens.TryTake(share);
        }
    }

    private TokenBucketSpec Share(TokenBucketSpec spec)
    {
        var silos = ActiveSilos();
        return silos <= 1 ? spec : new TokenBucketSpec(Math.Max(1, spec.Capacity / silos), spec.RefillPerSecond / silos);
    }

    private long _countedAt = long.MinValue;
    private int _activeSilos = 1;

    /// <summary>Active silos in the membership snapshot, recounted only when the snapshot changes.</summary>
    private int ActiveSilos()
    {
        var snapshot = membership.CurrentSnapshot;
        if (snapshot.Version.Value == Volatile.Read(ref _countedAt)) return Volatile.Read(ref _activeSilos);
        var silos = 0;
        foreach (var member in snapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active) silos++;
        }
        Volatile.Write(ref _activeSilos, Math.Max(1, silos));
        Volatile.Write(ref _countedAt, snapshot.Version.Value);
        return Math.Max(1, silos);
    }

    private Bucket NewBucket()
    {
        if (Interlocked.Increment(ref _created) % SweepEvery == 0) SweepIdle();
        return new Bucket(new TokenBucket(time));
    }

    private void SweepIdle()
    {
        var now = time.GetTimestamp();
        foreach (var (name, bucket) in _buckets)
        {
            if (time.GetElapsedTime(Volatile.Read(ref bucket.LastUsed), now) > IdleAfter) _buckets.TryRemove(name, out _);
        }
    }

    private sealed class Bucket(TokenBucket tokens)
    {
        public readonly TokenBucket Tokens = tokens;
        public long LastUsed;
    }
}
