using OrleansLicensing.Apps;
using OrleansLicensing.Limits;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.Auth;

/// <summary>The deployment settings of docs/protocol.md §1.2, resolved once at start.</summary>
public sealed class AuthSettings
{
    /// <summary>Builds the settings from validated configuration and the data directory's secrets.</summary>
    public AuthSettings(LicensingSettings settings, GeneratedSecrets secrets)
    {
        var auth = settings.Licensing.Auth;
        DefaultFailureMode = string.Equals(auth.DefaultFailureHttpStatus, "semantic", StringComparison.Ordinal) ? FailureMode.Semantic : FailureMode.Always200;
        Tokens = new SessionTokenCodec(secrets.SessionTokenSecrets);
        TrustedProxies = TrustedProxies.Create(auth.TrustedProxies);
        HeartbeatBillingInterval = auth.HeartbeatBillingInterval;
        var limits = auth.RateLimits;
        AppBucket = limits.AppBurst > 0 && limits.AppPerSecond > 0 ? new TokenBucketSpec(limits.AppBurst, limits.AppPerSecond) : null;
        ValidatePerIp = PerMinute(limits.ValidatePerIpPerMinute);
        ValidatePerLicense = PerMinute(limits.ValidatePerLicensePerMinute);
        HeartbeatPerLicense = PerMinute(limits.HeartbeatPerLicensePerMinute);
    }

    /// <summary>Failure mode for requests that name no existing app.</summary>
    public FailureMode DefaultFailureMode { get; }

    /// <summary>Issues and verifies session tokens with the configured secrets.</summary>
    public SessionTokenCodec Tokens { get; }

    /// <summary>Proxies whose <c>X-Forwarded-For</c> is believed.</summary>
    public TrustedProxies TrustedProxies { get; }

    /// <summary>N of §13.3: every N-th successful heartbeat of a license is billed.</summary>
    public int HeartbeatBillingInterval { get; }

    /// <summary>Per-app request bucket, or <c>null</c> for no limit.</summary>
    public TokenBucketSpec? AppBucket { get; }

    /// <summary>Validate (and pre-session self-ban) per caller IP, or <c>null</c>.</summary>
    public TokenBucketSpec? ValidatePerIp { get; }

    /// <summary>Validate per (app, license key), or <c>null</c>.</summary>
    public TokenBucketSpec? ValidatePerLicense { get; }

    /// <summary>Heartbeat per (app, license key), or <c>null</c>.</summary>
    public TokenBucketSpec? HeartbeatPerLicense { get; }

    private static TokenBucketSpec? PerMinute(int limit) => limit > 0 ? TokenBucketSpec.PerMinute(limit) : null;
}
