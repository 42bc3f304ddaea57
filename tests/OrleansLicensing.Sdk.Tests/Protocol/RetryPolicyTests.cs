namespace OrleansLicensing.Sdk.Protocol;

/// <summary>The delay formula of docs/protocol.md §17.5.</summary>
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
    [InlineData(0.5, 6, 30000)]   // 32 s capped at 30 s
    [InlineData(1.0, 6, 30000)]   // the jitter never pushes beyond the cap
    [InlineData(0.0, 6, 24000)]
    public void Backoff_doubles_with_jitter_up_to_the_cap(double random, int attempt, int expectedMs)
    {
        var policy = new RetryPolicy(Base, Cap, () => random);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), policy.DelayAfter(attempt, retryAfter: null));
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
