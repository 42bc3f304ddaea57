using Microsoft.Extensions.Time.Testing;
using OrleansLicensing.Accounts.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Limits;

public sealed class TokenBucketTests
{
    [Fact]
    public void A_new_bucket_starts_full_and_refuses_the_request_after_its_capacity()
    {
        var bucket = new TokenBucket(new FakeTimeProvider());
        var spec = new TokenBucketSpec(3, 1);

        for (var i = 0; i < 3; i++) Assert.Equal(RateDecision.Allow, bucket.TryTake(spec));
        var refused = bucket.TryTake(spec);

        Assert.False(refused.Allowed);
        Assert.Equal(1, refused.RetryAfterSeconds);
    }

    [Fact]
    public void Tokens_come_back_at_the_refill_rate_and_never_beyond_the_capacity()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(clock);
        var spec = new TokenBucketSpec(2, 0.5); // one token every 2 s

        Assert.True(bucket.TryTake(spec).Allowed);
        Assert.True(bucket.TryTake(spec).Allowed);
        Assert.False(bucket.TryTake(spec).Allowed);

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(bucket.TryTake(spec).Allowed);
        Assert.False(bucket.TryTake(spec).Allowed);

        clock.Advance(TimeSpan.FromHours(1)); // a long pause refills to the capacity, no further
        Assert.True(bucket.TryTake(spec).Allowed);
        Assert.True(bucket.TryTake(spec).Allowed);
        Assert.False(bucket.TryTake(spec).Allowed);
    }

    [Fact]
    public void A_refused_request_takes_nothing_and_names_the_whole_seconds_until_a_token_is_back()
    {
        var clock = new FakeTimeProvider();
        var bucket = new TokenBucket(clock);
        var spec = TokenBucketSpec.PerMinute(6); // one token every 10 s

        for (var i = 0; i < 6; i++) Assert.True(bucket.TryTake(spec).Allowed);
        Assert.Equal(10, bucket.TryTake(spec).RetryAfterSeconds);

        clock.Advance(TimeSpan.FromSeconds(2.5));
        Assert.Equal(8, bucket.TryTake(spec).RetryAfterSeconds); // 7.5 s rounded up

        clock.Advance(TimeSpan.FromSeconds(7.5)); // the refused calls took nothing: the token is back on time
        Assert.True(bucket.TryTake(spec).Allowed);
    }

    [Fact]
    public void A_bucket_that_never_refills_asks_for_an_hour()
    {
        var bucket = new TokenBucket(new FakeTimeProvider());
        var spec = new TokenBucketSpec(1, 0);

        Assert.True(bucket.TryTake(spec).Allowed);
        Assert.Equal(3600, bucket.TryTake(spec).RetryAfterSeconds);
    }
}

[Collection(AccountCluster.Name)]
public sealed class RateLimitGrainTests(SqliteGrainCluster cluster)
{
    [Fact]
    public async Task One_bucket_name_is_one_bucket_for_every_caller_and_other_names_are_untouched()
    {
        var name = "rl_test_" + Guid.NewGuid().ToString("N");
        var spec = new TokenBucketSpec(5, 0.001);
        var bucket = cluster.Grains.GetGrain<IRateLimitGrain>(name);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => cluster.Grains.GetGrain<IRateLimitGrain>(name).TryTake(spec)));

        Assert.Equal(5, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.True(d.RetryAfterSeconds >= 1));
        Assert.False((await bucket.TryTake(spec)).Allowed);
        Assert.True((await cluster.Grains.GetGrain<IRateLimitGrain>(name + "_other").TryTake(spec)).Allowed);
    }
}
