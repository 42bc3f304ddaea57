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
        var share = Share(spec);
        while (true)
        {
            var bucket = _buckets.GetOrAdd(name, static (_, self) => self.NewBucket(), this);
            lock (bucket)
            {
                // Swept between the lookup and the lock: its tokens no longer count, take from its successor.
                if (bucket.Removed) continue;
                bucket.LastUsed = time.GetTimestamp();
                return bucket.Tokens.TryTake(share);
            }
        }
    }

    private TokenBucketSpec Share(TokenBucketSpec spec)
    {
        var silos = ActiveSilos();
        return silos <= 1 ? spec : new TokenBucketSpec(Math.Max(1, spec.Capacity / silos), spec.RefillPerSecond / silos);
    }

    /// <summary>The active silos of one membership version: one object, so a reader never pairs a version with another version's count.</summary>
    private sealed record SiloCount(long Version, int Silos);

    private volatile SiloCount _silos = new(long.MinValue, 1);

    /// <summary>Active silos in the membership snapshot, recounted only when the snapshot changes.</summary>
    private int ActiveSilos()
    {
        var snapshot = membership.CurrentSnapshot;
        var counted = _silos;
        if (snapshot.Version.Value == counted.Version) return counted.Silos;
        var silos = 0;
        foreach (var member in snapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active) silos++;
        }
        silos = Math.Max(1, silos);
        // A slower recount of an older version may overwrite this one: the pair stays consistent, and
        // the next call sees the version differ from the current snapshot and counts again.
        _silos = new SiloCount(snapshot.Version.Value, silos);
        return silos;
    }

    private Bucket NewBucket()
    {
        if (Interlocked.Increment(ref _created) % SweepEvery == 0) SweepIdle();
        return new Bucket(new TokenBucket(time)) { LastUsed = time.GetTimestamp() };
    }

    private void SweepIdle()
    {
        var now = time.GetTimestamp();
        foreach (var (name, bucket) in _buckets)
        {
            // Decided under the bucket's lock, so a request that holds the bucket either used it first
            // (then it is not idle) or sees it removed and takes from a new one.
            lock (bucket)
            {
                if (time.GetElapsedTime(bucket.LastUsed, now) <= IdleAfter) continue;
                bucket.Removed = true;
            }
            _buckets.TryRemove(new KeyValuePair<string, Bucket>(name, bucket));
        }
    }

    private sealed class Bucket(TokenBucket tokens)
    {
        public readonly TokenBucket Tokens = tokens;
        public long LastUsed;
        public bool Removed;
    }
}
