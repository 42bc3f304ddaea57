namespace OrleansLicensing.Sdk.Protocol;

/// <summary>The delay formula of docs/protocol.md §17.5, with the jitter source fixed.</summary>
public sealed class RetryPolicyTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0.0, 1, 800)]
    [InlineData(1.0, 1, 1200)]
    [InlineData(0.5, 2, 2000)]
    [InlineData(0.0, 3, 3200)]
    [InlineData(1.0, 3, 4800)]
    [InlineData(0.0, 6, 24000)]   // 32 s capped at 30 s, then × 0.8
    [InlineData(0.5, 6, 30000)]   // × 1.0: exactly the cap still retries
    [InlineData(0.0, 10, 24000)]
    public void Backoff_doubles_up_to_the_cap_and_is_then_jittered_between_0_8_and_1_2(double random, int attempt, int expectedMs)
    {
        var policy = new RetryPolicy(Base, Cap, () => random);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), policy.DelayAfter(attempt, retryAfter: null));
    }

    [Theory]
    [InlineData(0.5 + 1e-6, 6)]    // 30 s × 1.0000004
    [InlineData(0.75, 6)]          // 30 s × 1.1 = 33 s
    [InlineData(1.0, 6)]           // 30 s × 1.2 = 36 s
    [InlineData(1.0, 10)]
    public void Jitter_that_lifts_the_capped_backoff_beyond_RetryMaxDelay_ends_retrying(double random, int attempt)
    {
        var policy = new RetryPolicy(Base, Cap, () => random);
        Assert.Null(policy.DelayAfter(attempt, retryAfter: null));
    }

    [Fact]
    public void Every_delay_is_the_capped_backoff_times_a_factor_in_0_8_to_1_2_or_retrying_ends()
    {
        foreach (var (baseDelay, cap) in new[] { (Base, Cap), (TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2)), (Base, Base) })
        {
            foreach (var random in new[] { 0.0, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9, 0.999999 })
            {
                var policy = new RetryPolicy(baseDelay, cap, () => random);
                for (var attempt = 1; attempt <= 10; attempt++)
                {
                    var backoff = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * (1 << (attempt - 1)));
                    var delay = policy.DelayAfter(attempt, retryAfter: null);
                    var jittered = backoff * (0.8 + 0.4 * random);
                    if (jittered > cap.TotalMilliseconds + 0.001)
                    {
                        Assert.Null(delay);
                        continue;
                    }
                    Assert.NotNull(delay);
                    Assert.InRange(delay.Value.TotalMilliseconds, backoff * 0.8 - 0.001, backoff * 1.2 + 0.001);
                    Assert.InRange(delay.Value.TotalMilliseconds, jittered - 0.001, jittered + 0.001);
                    Assert.True(delay.Value <= cap);
                }
            }
        }
    }

    [Fact]
    public void The_default_jitter_source_stays_within_0_8_to_1_2_of_the_backoff()
    {
        var policy = new RetryPolicy(Base, Cap);
        var delays = Enumerable.Range(0, 10_000).Select(_ => policy.DelayAfter(1, retryAfter: null)!.Value).ToList();
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1200)));
        // Uniform, not a constant: both halves of the range are drawn.
        Assert.Contains(delays, d => d < TimeSpan.FromMilliseconds(950));
        Assert.Contains(delays, d => d > TimeSpan.FromMilliseconds(1050));
    }

    [Fact]
    public void Retry_After_is_a_lower_bound_and_beyond_the_cap_ends_retrying()
    {
        var policy = new RetryPolicy(Base, Cap, () => 0.5);
        Assert.Equal(TimeSpan.FromSeconds(12), policy.DelayAfter(1, TimeSpan.FromSeconds(12)));
        Assert.Equal(TimeSpan.FromSeconds(4), policy.DelayAfter(3, TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(30), policy.DelayAfter(1, TimeSpan.FromSeconds(30)));
        Assert.Null(policy.DelayAfter(1, TimeSpan.FromSeconds(31)));
    }

    [Fact]
    public void Transient_and_permanent_classes_follow_the_table()
    {
        foreach (var code in new[] { "network_error", "http_error_408", "http_error_429", "http_error_500", "http_error_599", "invalid_json_response", "response_not_json_object", "rate_limited", "no_credits", "app_burn_cap_reached", "demo_quota_exceeded", "system_error", "server_error", "replay_detected" })
        {
            Assert.True(LicensingErrorCodes.IsTransient(code), code);
        }
        foreach (var code in new[] { "invalid_app", "invalid_key", "revoked", "expired", "hwid_mismatch", "blocked", "app_disabled", "bad_request", "malformed_request", "revoke_requires_session", "session_expired", "unknown_error", "http_error_400", "http_error_404", "http_error_499", "missing_payload", "missing_signature", "invalid_payload", "nonce_mismatch", "signature_mismatch", "missing_sessionToken", "invalid_keyId", "missing_expiresIn", "missing_sigKey" })
        {
            Assert.False(LicensingErrorCodes.IsTransient(code), code);
        }
    }
}
