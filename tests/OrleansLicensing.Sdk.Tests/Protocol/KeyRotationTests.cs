using System.Collections.Concurrent;
using System.Net;
using OrleansLicensing.Sdk.given;
using OrleansLicensing.Sdk.Offline;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>
/// Staged key rotation (docs/protocol.md §4.5) seen by shipped clients while they keep validating: a client
/// that trusts both keys never fails; one that trusts only the old key fails only after the promotion.
/// </summary>
[Collection(SdkServerCollection.Name)]
public sealed class KeyRotationTests(SdkServer server, KeyRotationTests.UnthrottledServer unthrottled) : SdkSpec(server), IClassFixture<KeyRotationTests.UnthrottledServer>
{
    /// <summary>A server without the per-license and per-IP validate limits, so that two clients can validate back to back.</summary>
    public sealed class UnthrottledServer : IAsyncLifetime
    {
        private readonly TempDirectory _data = new("rotation");

        public LicensingTestHost Host { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var settings = LicensingTestHost.SqliteSettings(_data.Path);
            settings["Licensing:Auth:RateLimits:ValidatePerLicensePerMinute"] = "0";
            settings["Licensing:Auth:RateLimits:ValidatePerIpPerMinute"] = "0";
            Host = await LicensingTestHost.StartAsync(settings);
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            _data.Dispose();
        }
    }

    private sealed record Outcome(DateTimeOffset Started, string? Code, string? KeyId);

    [Fact]
    public async Task Rotation_during_continuous_validates_breaks_only_clients_without_the_next_key_and_only_after_promotion()
    {
        var host = unthrottled.Host;
        using var vendor = await VendorApi.CreateAsync(host, credits: 100_000);
        var app = await vendor.CreateApp();
        var key = await vendor.CreateLicense(app.AppId, slots: 2);

        // The next key is published first; the vendor ships a client that trusts both.
        var next = await vendor.Post($"/v1/apps/{app.AppId}/signing-keys", null, HttpStatusCode.Created);
        var nextKeyId = next.GetProperty("keyId").GetString()!;
        LicensingClient Shipped(string hwid, params string[] keys)
        {
            var options = Options(app);
            options.ApiBaseUrl = host.BaseAddress;
            options.PublicKeys = keys;
            options.HwidOverride = hwid;
            options.MaxRetries = 0;
            options.TimeProvider = TimeProvider.System;
            return Client(options);
        }
        var both = Shipped("machine-both", app.PublicKey + "," + next.GetProperty("publicKey").GetString());
        var oldOnly = Shipped("machine-old", app.PublicKey);

        var outcomes = new ConcurrentDictionary<string, ConcurrentQueue<Outcome>>();
        using var stop = new CancellationTokenSource();
        async Task Loop(string name, LicensingClient client)
        {
            var queue = outcomes.GetOrAdd(name, _ => new ConcurrentQueue<Outcome>());
            while (!stop.IsCancellationRequested)
            {
                var started = DateTimeOffset.UtcNow;
                var result = await client.ValidateLicenseAsync(key, Cancel);
                queue.Enqueue(new Outcome(started, result.Code, result.KeyId));
            }
        }
        var loops = new[] { Loop("both", both), Loop("old", oldOnly) };

        await Until(() => outcomes.Values.Sum(q => q.Count) >= 20, "validates before the promotion");
        var promoteStarted = DateTimeOffset.UtcNow;
        await vendor.Post($"/v1/apps/{app.AppId}/signing-keys/{nextKeyId}/promote", null, HttpStatusCode.OK);
        var promoted = DateTimeOffset.UtcNow;
        await Until(() => outcomes["old"].Count(o => o.Started > promoted) >= 10 && outcomes["both"].Count(o => o.Started > promoted) >= 10, "validates after the promotion");
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        var bothOutcomes = outcomes["both"].ToArray();
        Assert.All(bothOutcomes, o => Assert.Null(o.Code));
        Assert.Contains(bothOutcomes, o => o.KeyId == app.KeyId);
        Assert.All(bothOutcomes.Where(o => o.Started > promoted), o => Assert.Equal(nextKeyId, o.KeyId));

        var oldOutcomes = outcomes["old"].ToArray();
        Assert.All(oldOutcomes.Where(o => o.Started < promoteStarted), o => Assert.Null(o.Code));
        Assert.Contains(oldOutcomes, o => o.Started < promoteStarted);
        Assert.All(oldOutcomes.Where(o => o.Started > promoted), o => Assert.Equal(LicensingErrorCodes.SignatureMismatch, o.Code));
        Assert.All(oldOutcomes.Where(o => o.Code is not null), o => Assert.True(o.Started >= promoteStarted));
    }

    [Fact]
    public async Task Offline_files_carry_the_kid_of_the_key_current_when_minted()
    {
        using var vendor = await VendorApi.CreateAsync(Host);
        var app = await vendor.CreateApp();
        var key = await vendor.CreateLicense(app.AppId, slots: 4);
        async Task<string> Mint(string hwid) => (await vendor.Post($"/v1/licenses/{key}/offline-files",
            new { expiresAt = DateTimeOffset.UtcNow.AddDays(1).ToString("O"), hwids = new[] { hwid } }, HttpStatusCode.Created)).GetProperty("file").GetString()!;

        var before = await Mint("m1");
        var next = await vendor.Post($"/v1/apps/{app.AppId}/signing-keys", null, HttpStatusCode.Created);
        var staged = await Mint("m2");
        await vendor.Post($"/v1/apps/{app.AppId}/signing-keys/{next.GetProperty("keyId").GetString()}/promote", null, HttpStatusCode.OK);
        var after = await Mint("m3");
        var now = DateTimeOffset.UtcNow;
        var nextKey = next.GetProperty("publicKey").GetString()!;

        Assert.Equal(app.KeyId, OfflineLicenseVerifier.Verify(before, app.AppId, [app.PublicKey], "m1", now).License!.KeyId);
        Assert.Equal(app.KeyId, OfflineLicenseVerifier.Verify(staged, app.AppId, [app.PublicKey], "m2", now).License!.KeyId);
        Assert.Equal(next.GetProperty("keyId").GetString(), OfflineLicenseVerifier.Verify(after, app.AppId, [nextKey], "m3", now).License!.KeyId);
        Assert.Equal(OfflineLicenseErrorCodes.BadSignature, OfflineLicenseVerifier.Verify(after, app.AppId, [app.PublicKey], "m3", now).Code);
    }
}
