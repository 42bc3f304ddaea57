using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;
using OrleansLicensing.Sdk.given;

namespace OrleansLicensing.Sdk;

[Collection(SdkServerCollection.Name)]
public sealed class LicensingClientTests(SdkServer server) : SdkSpec(server)
{
    [Theory, MemberData(nameof(SchemesAndModes))]
    public async Task Login_heartbeats_and_self_ban_work_for_each_scheme_and_failure_mode(SigningScheme scheme, FailureMode mode)
    {
        var app = await NewApp(scheme, mode);
        await App(app).SetVariables([new Variable("channel", VariableKind.String, "stable")]);
        var key = await NewLicense(app, slots: 2, label: "Example customer",
            variables: [new Variable("tier", VariableKind.String, "pro"), new Variable("seats", VariableKind.Number, "3")]);
        var client = Client(app, o => o.HeartbeatMode = HeartbeatMode.Server);

        await LoginOk(client, "  " + key.ToLowerInvariant() + " ");

        Assert.True(client.IsAuthenticated);
        Assert.Equal(("Example customer", 2, 1, false), (client.LicenseLabel, client.MaxHwidSlots, client.HwidCount, client.UnlimitedHwidSlots));
        Assert.Null(client.LicenseExpiresAt);
        Assert.Equal("stable", client.AppVariables["channel"].GetString());
        Assert.Equal(("pro", 3), (client.LicenseVariables["tier"].GetString(), client.LicenseVariables["seats"].GetInt32()));
        Assert.Equal(scheme == SigningScheme.Ed25519 ? app.KeyId : null, client.KeyId);
        Assert.InRange(client.SessionExpiresAt!.Value, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
        Assert.Equal(client.Hwid, (await License(key).Get())!.Hwids.Single().Hwid);

        // Heartbeats (every 10 s of the fast clock) refresh the session from the server; each one verified.
        await App(app).SetVariables([new Variable("channel", VariableKind.String, "beta")]);
        await Until(() => Proxy.Count("/auth/heartbeat") >= 2 && client.AppVariables["channel"].GetString() == "beta", "two heartbeats");
        Assert.True(client.IsAuthenticated);
        Assert.Empty(Failures);

        var ban = await client.SelfBanAsync(cancellationToken: Cancel);

        Assert.Equal(new SelfBanResult(true, true, true), ban);
        Assert.Equal(LicenseStatus.Revoked, (await License(key).Get())!.Status);
        var lists = (await App(app).Get())!.Security;
        Assert.Contains(client.Hwid, lists.HwidBlacklist);
        Assert.Contains(Proxy.Ip, lists.IpBlacklist);
    }

    [Fact]
    public async Task The_synchronous_calls_do_what_the_async_ones_do()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        var client = Client(app);

        var checkedOnly = client.ValidateLicense(key);
        Assert.True(checkedOnly.Valid);
        Assert.False(client.IsAuthenticated);

        Assert.True(client.Login(key));
        Assert.True(client.IsAuthenticated);
        Assert.False(client.Login("NOT-A-KEY"));
        Assert.Equal((LicensingClient.LoginFailed, LicensingErrorCodes.InvalidKey), (Failures.Single().Reason, Failures.Single().Error.Code));

        var ban = client.SelfBan(revokeLicense: false, blacklistHwid: false, blacklistIp: false);
        Assert.Equal(new SelfBanResult(false, false, false), ban);
    }

    [Fact]
    public async Task ValidateLicense_returns_the_session_data_but_stores_and_starts_nothing()
    {
        var app = await NewApp();
        var key = await NewLicense(app, label: "Checked");
        var client = Client(app, o => o.HeartbeatMode = HeartbeatMode.Server);

        var result = await client.ValidateLicenseAsync(key, Cancel);

        Assert.True(result.Valid);
        Assert.Null(result.Code);
        Assert.Equal("Checked", result.LicenseLabel);
        Assert.Equal(app.KeyId, result.KeyId);
        Assert.False(string.IsNullOrEmpty(result.SessionToken));
        Assert.DoesNotContain(result.SessionToken!, result.ToString());
        Assert.False(client.IsAuthenticated);
        Assert.Null(client.SessionExpiresAt);
        Assert.True(client.HeartbeatTask.IsCompleted);

        var failed = await client.ValidateLicenseAsync("NOT-A-KEY", Cancel);
        Assert.Equal((false, LicensingErrorCodes.InvalidKey), (failed.Valid, failed.Code));
        Assert.Empty(Failures);
    }

    [Fact]
    public async Task A_failed_login_reports_login_failed_once_before_returning_and_survives_a_throwing_callback()
    {
        var app = await NewApp();
        var calls = 0;
        var client = Client(app, o => o.OnFailure = (reason, error) =>
        {
            calls++;
            Assert.Equal(LicensingClient.LoginFailed, reason);
            throw new InvalidOperationException("vendor callback bug");
        });

        Assert.False(await client.LoginAsync("NOT-A-KEY", Cancel));

        Assert.Equal(1, calls);
        Assert.False(client.IsAuthenticated);
        Assert.Contains(Logs.Entries, e => e.Text.Contains("OnFailure callback for login_failed threw", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => client.Login("   "));
    }

    [Fact]
    public async Task Logout_clears_the_session_and_stops_heartbeats_without_a_request()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        var client = Client(app, o => o.HeartbeatMode = HeartbeatMode.Server);
        await LoginOk(client, key);
        var requests = Proxy.Attempts.Count;

        client.Logout();

        Assert.False(client.IsAuthenticated);
        Assert.Null(client.SessionData);
        Assert.Empty(client.LicenseVariables);
        await client.HeartbeatTask.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        Assert.DoesNotContain(Proxy.Attempts.Skip(requests), a => a.Path != "/auth/heartbeat");
        Assert.Empty(Failures);
    }

    [Fact]
    public async Task Requests_are_compact_json_in_the_official_key_order_with_the_sdk_user_agent()
    {
        var app = await NewApp(SigningScheme.HmacV2);
        var key = await NewLicense(app);
        var client = Client(app, o => { o.HeartbeatMode = HeartbeatMode.Server; o.TtlSeconds = 7200; });
        await LoginOk(client, key);
        await Until(() => Proxy.Count("/auth/heartbeat") >= 1, "a heartbeat");

        var validate = Proxy.Attempts.First(a => a.Path == "/auth/validate");
        Assert.Equal(["appId", "appSecret", "licenseKey", "hwid", "nonce", "ttlSeconds"], validate.Body.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain(" ", validate.RawBody);
        Assert.Equal(7200, validate.Body.GetProperty("ttlSeconds").GetInt32());
        Assert.Matches(@"^OrleansLicensing\.Sdk/\d+\.\d+\.\d+$", validate.UserAgent);
        Assert.StartsWith("application/json", validate.ContentType);
        var heartbeat = Proxy.Attempts.First(a => a.Path == "/auth/heartbeat");
        Assert.Equal(["appId", "sessionToken", "nonce", "hwid"], heartbeat.Body.EnumerateObject().Select(p => p.Name));
        Assert.NotEqual(validate.Nonce, heartbeat.Nonce);
        Assert.InRange((client.SessionExpiresAt!.Value - DateTimeOffset.UtcNow).TotalSeconds, 7200 - 30, 7200 + 5);
    }
}
