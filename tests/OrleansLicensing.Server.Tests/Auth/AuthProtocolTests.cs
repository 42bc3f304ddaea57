using System.Net;
using System.Text.Json;
using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Auth;

[Collection(AuthServerCollection.Name)]
public sealed class AuthProtocolTests(AuthServer server) : AuthSpec(server.Host)
{
    public static TheoryData<SigningScheme> Schemes => [SigningScheme.Ed25519, SigningScheme.HmacV1, SigningScheme.HmacV2];

    // The end-to-end path, one step per test so a failure names the step: validate, then heartbeat, then self-ban.

    [Theory, MemberData(nameof(Schemes))]
    public async Task A_validate_answers_the_documented_payload_and_token_and_debits_one_credit(SigningScheme scheme)
    {
        var (app, key, hwid, session) = await LoggedIn(scheme);

        var payload = session.Payload;
        Assert.Equal(["sessionToken", "expiresIn", "nonce", "timestamp", "requestId", "sessionExpiresAt", "licenseExpiresAt", "maxHwidSlots", "hwidCount", "licenseLabel", "unlimitedHwidSlots", "appVariables", "licenseVariables"],
            payload.EnumerateObject().Select(p => p.Name));
        Assert.Equal((2, 1, "Example customer", false), (payload.GetProperty("maxHwidSlots").GetInt32(), payload.GetProperty("hwidCount").GetInt32(), payload.GetProperty("licenseLabel").GetString(), payload.GetProperty("unlimitedHwidSlots").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("licenseExpiresAt").ValueKind);
        Assert.Equal("{\"channel\":\"stable\"}", payload.GetProperty("appVariables").GetRawText());
        Assert.Equal("{\"seats\":3,\"tier\":\"pro\"}", payload.GetProperty("licenseVariables").GetRawText());
        Assert.Equal(key, session.TokenBody.GetProperty("licenseKey").GetString());
        Assert.Equal(hwid, session.TokenBody.GetProperty("hwid").GetString());
        Assert.Equal(86400, session.TokenBody.GetProperty("ttl").GetInt64());
        Assert.Equal(scheme == SigningScheme.HmacV2, session.SigKey.Length == 64);
        Assert.Equal(999, await Balance(app.AccountId));
    }

    [Theory, MemberData(nameof(Schemes))]
    public async Task A_heartbeat_after_a_validate_keeps_the_session_its_sigKey_and_the_variables(SigningScheme scheme)
    {
        var (app, _, hwid, session) = await LoggedIn(scheme);

        var refreshed = await HeartbeatOnce(app, session, hwid, scheme);

        Assert.Equal(session.TokenBody.GetProperty("sid").GetString(), refreshed.TokenBody.GetProperty("sid").GetString());
        Assert.Equal(session.SigKey, refreshed.SigKey);
        Assert.Equal("{\"seats\":3,\"tier\":\"pro\"}", refreshed.Payload.GetProperty("licenseVariables").GetRawText());
    }

    [Theory, MemberData(nameof(Schemes))]
    public async Task A_self_ban_with_a_refreshed_session_revokes_the_license_and_blacklists_hwid_and_ip(SigningScheme scheme)
    {
        var (app, key, hwid, session) = await LoggedIn(scheme);
        var refreshed = await HeartbeatOnce(app, session, hwid, scheme);

        var ban = await Post("/auth/selfban", new { appId = app.AppId, sessionToken = refreshed.Token, hwid });

        Assert.Equal(HttpStatusCode.OK, ban.Status);
        Assert.Equal("{\"status\":\"success\",\"revoked\":true,\"hwidBlacklisted\":true,\"ipBlacklisted\":true}", ban.Body);
        Assert.Equal(LicenseStatus.Revoked, (await License(key).Get())!.Status);
        var lists = (await App(app).Get())!.Security;
        Assert.Contains(hwid, lists.HwidBlacklist);
        Assert.Contains(Ip, lists.IpBlacklist);
    }

    /// <summary>An app of <paramref name="scheme"/> with variables, a two-slot license with variables, and one validate (key in lower case, hwid padded).</summary>
    private async Task<(TestApp App, string Key, string Hwid, VerifiedSession Session)> LoggedIn(SigningScheme scheme)
    {
        var app = await NewApp(scheme);
        await App(app).SetVariables([new Variable("channel", VariableKind.String, "stable")]);
        var key = await NewLicense(app, slots: 2, label: "Example customer",
            variables: [new Variable("tier", VariableKind.String, "pro"), new Variable("seats", VariableKind.Number, "3")]);
        var hwid = NewHwid();
        return (app, key, hwid, await Login(app, key.ToLowerInvariant(), "  " + hwid + " "));
    }

    private async Task<VerifiedSession> HeartbeatOnce(TestApp app, VerifiedSession session, string hwid, SigningScheme scheme)
    {
        var nonce = NewNonce();
        return Verify(await Heartbeat(app, session.Token, hwid, nonce), app, nonce,
            requestSigKey: scheme == SigningScheme.HmacV2 ? session.SigKey : null);
    }

    [Fact]
    public async Task A_validate_opens_no_session_record_and_heartbeats_keep_one_in_memory()
    {
        var app = await NewApp();
        var key = await NewLicense(app, slots: 1);
        var hwid = NewHwid();
        var session = await Login(app, key, hwid);
        var record = Grains.GetGrain<OrleansLicensing.Sessions.ISessionGrain>(
            OrleansLicensing.Sessions.ISessionGrain.KeyFor(session.TokenBody.GetProperty("sid").GetString()!));

        Assert.Null(await record.Get()); // a launch spike of validates activates no session grains

        for (var i = 0; i < 2; i++)
        {
            var nonce = NewNonce();
            Verify(await Heartbeat(app, session.Token, hwid, nonce), app, nonce, null);
        }
        await Eventually.True(async () => (await record.Get())?.Heartbeats == 2, TimeSpan.FromSeconds(10)); // recorded one-way
        var seen = (await record.Get())!;
        Assert.Equal((key, hwid, Ip), (seen.LicenseKey, seen.Hwid, seen.LastIp));
    }

    [Fact]
    public async Task Ttl_is_clamped_and_capped_at_the_license_expiry()
    {
        var app = await NewApp();
        var soon = DateTimeOffset.UtcNow.AddHours(2);
        var key = await NewLicense(app, slots: 3, expiresAt: soon);

        var nonce = NewNonce();
        var capped = Verify(await Validate(app, key, "a", nonce, ttl: 604800 * 10), app, nonce, null);
        Assert.Equal(604800, capped.TokenBody.GetProperty("ttl").GetInt64());
        Assert.Equal(soon.ToUnixTimeSeconds(), capped.Payload.GetProperty("expiresIn").GetInt64());

        nonce = NewNonce();
        var clamped = Verify(await Validate(app, key, "a", nonce, ttl: -5), app, nonce, null);
        Assert.Equal(3600, clamped.TokenBody.GetProperty("ttl").GetInt64());

        // Extending the license is reflected by the next heartbeat's expiry.
        await License(key).Change(new LicenseChange(LicenseAction.Extend, ExpiresAt: null));
        nonce = NewNonce();
        var extended = Verify(await Heartbeat(app, capped.Token, "a", nonce), app, nonce, null);
        Assert.True(extended.Payload.GetProperty("expiresIn").GetInt64() > soon.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Paths_are_exact_and_other_methods_answer_405_as_json()
    {
        var get = await Host.Http.GetAsync("/auth/validate", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal("POST", string.Join(",", get.Content.Headers.Allow));
        Assert.Equal("{\"status\":\"failed\",\"error\":\"method_not_allowed\"}", await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        foreach (var path in new[] { "/auth/validate/", "/auth/Validate", "/AUTH/validate", "/auth/other", "/auth", "/auth/" })
        {
            var reply = await PostRaw(path, "{}");
            Assert.Equal(HttpStatusCode.NotFound, reply.Status);
            Assert.Equal("{\"status\":\"failed\",\"error\":\"not_found\"}", reply.Body);
        }
    }

    [Fact]
    public async Task Bound_hwid_keeps_validating_and_rotation_signs_with_the_new_key()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        await Login(app, key, "machine");

        var rotated = (await App(app).RotateSigningKey())!;
        var nonce = NewNonce();
        var reply = await Validate(app, key, "machine", nonce);
        Verify(reply, app with { PublicKey = rotated.PublicKey, KeyId = rotated.KeyId }, nonce, null);
        Assert.Equal(2, rotated.PublicKeys.Count);
    }
}
