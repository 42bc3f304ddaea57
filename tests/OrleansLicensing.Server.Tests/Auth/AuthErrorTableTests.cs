using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Auth.given;

namespace OrleansLicensing.Server.Auth;

/// <summary>Every row of the error registry (docs/protocol.md §3.5) on every endpoint, through HTTP, in both failure modes.</summary>
[Collection(AuthServerCollection.Name)]
public sealed class AuthErrorTableTests(AuthServer server) : AuthSpec(server.Host)
{
    private delegate Task<AuthReply> Scenario(AuthErrorTableTests spec, TestApp app);

    private static readonly Dictionary<string, (string Code, int Status, Scenario Run)> Rows = new()
    {
        // validate (§8.2)
        ["validate bad_request"] = ("bad_request", 400, (s, app) => s.Post("/auth/validate", new { appId = app.AppId, hwid = "h", nonce = "abc" })),
        ["validate invalid_app (wrong secret)"] = ("invalid_app", 401, async (s, app) => await s.Validate(app, await s.NewLicense(app), "h", secret: "wrong")),
        ["validate invalid_app (disabled)"] = ("invalid_app", 401, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            await s.App(app).Update(new UpdateApp(Status: AppStatus.Disabled));
            return await s.Validate(app, key, "h");
        }),
        ["validate app_disabled"] = ("app_disabled", 403, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            await s.Suspend(app.AccountId);
            return await s.Validate(app, key, "h");
        }),
        ["validate blocked (ip)"] = ("blocked", 403, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            await s.App(app).SetSecurity(SecurityLists.Empty with { IpBlacklist = [s.Ip.Split('.')[0] + ".0.0.0/8"] });
            return await s.Validate(app, key, "h");
        }),
        ["validate blocked (hwid whitelist)"] = ("blocked", 403, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            await s.App(app).SetSecurity(SecurityLists.Empty with { HwidWhitelist = ["other"] });
            return await s.Validate(app, key, "h");
        }),
        ["validate rate_limited (per license)"] = ("rate_limited", 429, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            for (var i = 0; i < 5; i++) await s.Validate(app, key, "h");
            return await s.Validate(app, key, "h");
        }),
        ["validate replay_detected"] = ("replay_detected", 401, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            var nonce = NewNonce();
            await s.Validate(app, key, "h", nonce);
            return await s.Validate(app, key, "h", nonce);
        }),
        ["validate invalid_key"] = ("invalid_key", 401, (s, app) => s.Validate(app, "NOT-A-KEY", "h")),
        ["validate revoked"] = ("revoked", 410, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            await s.License(key).Change(new LicenseChange(LicenseAction.Revoke));
            return await s.Validate(app, key, "h");
        }),
        ["validate expired"] = ("expired", 410, async (s, app) => await s.Validate(app, await s.NewLicense(app, expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1)), "h")),
        ["validate hwid_mismatch"] = ("hwid_mismatch", 403, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            await s.Validate(app, key, "first");
            return await s.Validate(app, key, "second");
        }),
        ["validate no_credits"] = ("no_credits", 429, async (s, app) => await s.Validate(app, await s.NewLicense(app), "h")),
        ["validate app_burn_cap_reached"] = ("app_burn_cap_reached", 429, async (s, app) =>
        {
            var key = await s.NewLicense(app, slots: 2);
            await s.Validate(app, key, "h");
            return await s.Validate(app, key, "h");
        }),

        // heartbeat (§9.2)
        ["heartbeat bad_request"] = ("bad_request", 400, (s, app) => s.Post("/auth/heartbeat", new { appId = app.AppId, sessionToken = "x", hwid = "h" })),
        ["heartbeat session_expired (bad MAC)"] = ("session_expired", 401, async (s, app) =>
        {
            var session = await s.Login(app, await s.NewLicense(app), "h");
            return await s.Heartbeat(app, session.Token[..^2] + "AA", "h");
        }),
        ["heartbeat session_expired (past exp)"] = ("session_expired", 401, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var token = s.Tokens.Issue(new SessionTokenBody("0123456789abcdef0123456789abcdef", app.AppId, key, "h", 3600, now - 7200, now - 3600, null));
            return await s.Heartbeat(app, token, "h");
        }),
        ["heartbeat session_expired (hwid reset)"] = ("session_expired", 401, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            var session = await s.Login(app, key, "h");
            await s.License(key).Change(new LicenseChange(LicenseAction.ResetHwid));
            return await s.Heartbeat(app, session.Token, "h");
        }),
        ["heartbeat session_expired (license deleted)"] = ("session_expired", 401, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            var session = await s.Login(app, key, "h");
            await s.License(key).Delete();
            return await s.Heartbeat(app, session.Token, "h");
        }),
        ["heartbeat invalid_app"] = ("invalid_app", 401, async (s, app) =>
        {
            var session = await s.Login(app, await s.NewLicense(app), "h");
            await s.App(app).Update(new UpdateApp(Status: AppStatus.Disabled));
            return await s.Heartbeat(app, session.Token, "h");
        }),
        ["heartbeat app_disabled"] = ("app_disabled", 403, async (s, app) =>
        {
            var session = await s.Login(app, await s.NewLicense(app), "h");
            await s.Suspend(app.AccountId);
            return await s.Heartbeat(app, session.Token, "h");
        }),
        ["heartbeat hwid_mismatch"] = ("hwid_mismatch", 403, async (s, app) =>
        {
            var session = await s.Login(app, await s.NewLicense(app), "h");
            return await s.Heartbeat(app, session.Token, "other");
        }),
        ["heartbeat blocked"] = ("blocked", 403, async (s, app) =>
        {
            var session = await s.Login(app, await s.NewLicense(app), "h");
            await s.App(app).SetSecurity(SecurityLists.Empty with { HwidBlacklist = ["h"] });
            return await s.Heartbeat(app, session.Token, "h");
        }),
        ["heartbeat rate_limited"] = ("rate_limited", 429, async (s, app) =>
        {
            var session = await s.Login(app, await s.NewLicense(app), "h");
            for (var i = 0; i < 6; i++) await s.Heartbeat(app, session.Token, "h");
            return await s.Heartbeat(app, session.Token, "h");
        }),
        ["heartbeat revoked"] = ("revoked", 410, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            var session = await s.Login(app, key, "h");
            await s.License(key).Change(new LicenseChange(LicenseAction.Revoke));
            return await s.Heartbeat(app, session.Token, "h");
        }),
        ["heartbeat expired"] = ("expired", 410, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            var session = await s.Login(app, key, "h");
            await s.License(key).Change(new LicenseChange(LicenseAction.Extend, ExpiresAt: DateTimeOffset.UtcNow.AddSeconds(-1)));
            return await s.Heartbeat(app, session.Token, "h");
        }),
        ["heartbeat no_credits"] = ("no_credits", 429, async (s, app) =>
        {
            // 1 credit: the validate takes it; the 3rd heartbeat is billable (interval 3).
            var session = await s.Login(app, await s.NewLicense(app), "h");
            await s.Heartbeat(app, session.Token, "h");
            await s.Heartbeat(app, session.Token, "h");
            return await s.Heartbeat(app, session.Token, "h");
        }),
        ["heartbeat app_burn_cap_reached"] = ("app_burn_cap_reached", 429, async (s, app) =>
        {
            var session = await s.Login(app, await s.NewLicense(app), "h");
            await s.Heartbeat(app, session.Token, "h");
            await s.Heartbeat(app, session.Token, "h");
            return await s.Heartbeat(app, session.Token, "h");
        }),

        // self-ban (§10.2)
        ["selfban bad_request"] = ("bad_request", 400, (s, app) => s.Post("/auth/selfban", new { appId = app.AppId, hwid = "h" })),
        ["selfban invalid_app"] = ("invalid_app", 401, (s, app) =>
            s.Post("/auth/selfban", new { appId = app.AppId, appSecret = "wrong", licenseKey = "ABCD-ABCD-ABCD-ABCD", hwid = "h", nonce = NewNonce() })),
        ["selfban app_disabled"] = ("app_disabled", 403, async (s, app) =>
        {
            await s.Suspend(app.AccountId);
            return await s.Post("/auth/selfban", new { appId = app.AppId, appSecret = app.AppSecret, licenseKey = "ABCD-ABCD-ABCD-ABCD", hwid = "h", nonce = NewNonce() });
        }),
        ["selfban revoke_requires_session"] = ("revoke_requires_session", 403, async (s, app) =>
            await s.Post("/auth/selfban", new { appId = app.AppId, appSecret = app.AppSecret, licenseKey = await s.NewLicense(app), hwid = "h", nonce = NewNonce(), revokeLicense = true })),
        ["selfban replay_detected"] = ("replay_detected", 401, async (s, app) =>
        {
            var key = await s.NewLicense(app);
            var nonce = NewNonce();
            await s.Validate(app, key, "h", nonce);
            return await s.Post("/auth/selfban", new { appId = app.AppId, appSecret = app.AppSecret, licenseKey = key, hwid = "h", nonce });
        }),
        ["selfban invalid_key"] = ("invalid_key", 401, (s, app) =>
            s.Post("/auth/selfban", new { appId = app.AppId, appSecret = app.AppSecret, licenseKey = "ABCD-ABCD-ABCD-ABCD", hwid = "h", nonce = NewNonce() })),
        ["selfban session_expired"] = ("session_expired", 401, (s, app) =>
            s.Post("/auth/selfban", new { appId = app.AppId, sessionToken = "not.a-token", hwid = "h" })),
        ["selfban hwid_mismatch"] = ("hwid_mismatch", 403, async (s, app) =>
        {
            var session = await s.Login(app, await s.NewLicense(app), "h");
            return await s.Post("/auth/selfban", new { appId = app.AppId, sessionToken = session.Token, hwid = "other" });
        }),
        ["selfban rate_limited (per ip)"] = ("rate_limited", 429, async (s, app) =>
        {
            for (var i = 0; i < 30; i++) await s.Validate(app, "NOT-A-KEY", "h");
            return await s.Post("/auth/selfban", new { appId = app.AppId, appSecret = app.AppSecret, licenseKey = "NOT-A-KEY", hwid = "h", nonce = NewNonce() });
        }),
    };

    public static TheoryData<string, FailureMode> Cases()
    {
        var data = new TheoryData<string, FailureMode>();
        foreach (var name in Rows.Keys)
        {
            data.Add(name, FailureMode.Always200);
            data.Add(name, FailureMode.Semantic);
        }
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task Each_error_row_answers_its_code_and_the_modes_status(string row, FailureMode mode)
    {
        var (code, status, run) = Rows[row];
        var credits = code == "no_credits" ? (row.StartsWith("heartbeat", StringComparison.Ordinal) ? 1 : 0) : 1_000;
        var app = await NewApp(mode: mode, credits: credits, dailyCap: code == "app_burn_cap_reached" ? 1 : null);

        var reply = await run(this, app);

        if (code == "bad_request")
        {
            Assert.StartsWith("{\"status\":\"failed\",\"error\":\"bad_request\",\"details\":[", reply.Body);
            Assert.Equal(mode == FailureMode.Always200 ? 200 : 400, (int)reply.Status);
            return;
        }
        AssertFailure(reply, code, mode, status);
    }

    [Fact]
    public async Task A_rate_limited_validate_says_when_to_retry_and_debits_nothing()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        for (var i = 0; i < 5; i++) await Validate(app, key, "h");

        var reply = await Validate(app, key, "h");

        AssertFailure(reply, "rate_limited", FailureMode.Always200, 429);
        Assert.InRange(int.Parse(reply.Header("Retry-After")!), 1, 12);
        Assert.Equal(1_000 - 5, await Balance(app.AccountId));
    }

    [Fact]
    public async Task Failures_debit_nothing_and_successes_debit_one_each()
    {
        var app = await NewApp(credits: 10);
        var key = await NewLicense(app);
        await Validate(app, key, "a");                       // ok
        await Validate(app, key, "b");                       // hwid_mismatch
        await Validate(app, "NOT-A-KEY", "a");               // invalid_key
        await Validate(app, key, "a", secret: "wrong");      // invalid_app
        Assert.Equal(9, await Balance(app.AccountId));
    }

    private Task Suspend(string accountId) => Host.Operator.PostAsync($"/admin/v1/accounts/{accountId}/suspend", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
}
