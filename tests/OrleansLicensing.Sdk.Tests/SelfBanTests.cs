using OrleansLicensing.Licenses;
using OrleansLicensing.Sdk.given;

namespace OrleansLicensing.Sdk;

/// <summary>Self-ban (docs/protocol.md §17.9) against the real server.</summary>
[Collection(SdkServerCollection.Name)]
public sealed class SelfBanTests(SdkServer server) : SdkSpec(server)
{
    [Fact]
    public async Task Without_a_session_the_pre_session_form_is_sent_and_never_asks_for_revocation()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        var client = Client(app);

        var result = await client.SelfBanAsync(licenseKey: key, cancellationToken: Cancel);

        Assert.Equal(new SelfBanResult(false, true, true), result);
        var body = Proxy.Attempts.Single(a => a.Path == "/auth/selfban").Body;
        Assert.Equal(["appId", "appSecret", "licenseKey", "hwid", "nonce", "revokeLicense", "blacklistHwid", "blacklistIp"], body.EnumerateObject().Select(p => p.Name));
        Assert.False(body.GetProperty("revokeLicense").GetBoolean());
        Assert.Equal(LicenseStatus.Active, (await License(key).Get())!.Status);
        Assert.Contains(client.Hwid, (await App(app).Get())!.Security.HwidBlacklist);
    }

    [Fact]
    public async Task With_a_session_the_post_session_form_carries_the_three_flags_and_local_state_stays()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        var client = Client(app);
        await LoginOk(client, key);

        var result = await client.SelfBanAsync(revokeLicense: true, blacklistHwid: false, blacklistIp: false, cancellationToken: Cancel);

        Assert.Equal(new SelfBanResult(true, false, false), result);
        var body = Proxy.Attempts.Single(a => a.Path == "/auth/selfban").Body;
        Assert.Equal(["appId", "sessionToken", "hwid", "revokeLicense", "blacklistHwid", "blacklistIp"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(LicenseStatus.Revoked, (await License(key).Get())!.Status);
        Assert.True(client.IsAuthenticated);
    }

    [Fact]
    public async Task Without_a_session_or_a_key_self_ban_is_an_argument_error_and_failures_throw()
    {
        var app = await NewApp();
        var client = Client(app);
        await Assert.ThrowsAsync<ArgumentException>(() => client.SelfBanAsync(cancellationToken: Cancel));

        var error = await Assert.ThrowsAsync<LicensingException>(() => client.SelfBanAsync(licenseKey: "NOT-A-KEY", cancellationToken: Cancel));
        Assert.Equal((LicensingErrorCodes.InvalidKey, 1), (error.Code, error.Attempts));
    }

    [Fact]
    public async Task After_a_refused_login_self_ban_uses_the_key_that_was_tried()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        await License(key).Change(new LicenseChange(LicenseAction.Revoke));
        var client = Client(app);
        Assert.False(await client.LoginAsync(key, Cancel));

        var result = await client.SelfBanAsync(cancellationToken: Cancel);

        Assert.Equal(new SelfBanResult(false, true, true), result);
        Assert.Equal(key, Proxy.Attempts.Single(a => a.Path == "/auth/selfban").Body.GetProperty("licenseKey").GetString());
        client.Logout();
        await Assert.ThrowsAsync<ArgumentException>(() => client.SelfBanAsync(cancellationToken: Cancel));
    }

    [Fact]
    public async Task Transient_self_ban_failures_are_retried()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        Proxy.On("/auth/selfban", async (attempt, forward) => attempt.Number < 3
            ? given.TamperingProxy.Respond(System.Net.HttpStatusCode.BadGateway, "<html>bad gateway</html>", "text/html")
            : await forward());

        var result = await Client(app).SelfBanAsync(licenseKey: key, cancellationToken: Cancel);

        Assert.True(result.HwidBlacklisted);
        Assert.Equal(3, Proxy.Count("/auth/selfban"));
        var nonces = Proxy.Attempts.Select(a => a.Nonce).ToList();
        Assert.Equal(3, nonces.Distinct().Count());
    }
}
