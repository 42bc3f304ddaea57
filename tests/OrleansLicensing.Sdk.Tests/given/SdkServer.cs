using OrleansLicensing.Testing;

namespace OrleansLicensing.Sdk.given;

/// <summary>
/// One real server (embedded SQLite, real HTTP on a free port) for the SDK tests. Loopback is a trusted
/// proxy, so each test's <see cref="TamperingProxy"/> can give its client an address of its own through
/// <c>X-Forwarded-For</c>, and the per-IP limits apply per test.
/// </summary>
public sealed class SdkServer : IAsyncLifetime
{
    private readonly TempDirectory _data = new("sdk");

    public LicensingTestHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var settings = LicensingTestHost.SqliteSettings(_data.Path);
        settings["Licensing:Auth:TrustedProxies:0"] = "127.0.0.1";
        settings["Licensing:Auth:TrustedProxies:1"] = "::1";
        // Heartbeats run on a fast clock here; the per-license heartbeat limit would turn most into rate_limited.
        settings["Licensing:Auth:RateLimits:HeartbeatPerLicensePerMinute"] = "0";
        Host = await LicensingTestHost.StartAsync(settings);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SdkServerCollection : ICollectionFixture<SdkServer>
{
    public const string Name = "sdk against a real server";
}
