using System.Text.Json.Nodes;
using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;
using OrleansLicensing.Sdk.given;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>
/// Every code the real server sends (docs/protocol.md §3.5) reaches the caller as the same
/// <see cref="LicensingException.Code"/>, with the transient/permanent class of §17.5 — in both failure
/// modes. Transient codes are retried (1 + MaxRetries = 4 attempts), permanent ones are not (1 attempt).
/// </summary>
[Collection(SdkServerCollection.Name)]
public sealed class ServerCodesTests(SdkServer server) : SdkSpec(server)
{
    private const int MaxAttempts = 4;

    private delegate Task<LicensingException> Scenario(ServerCodesTests spec, TestApp app);

    private static readonly Dictionary<string, (string Code, int Semantic, string Path, Scenario Run)> Rows = new()
    {
        ["bad_request"] = ("bad_request", 400, "/auth/validate", async (s, app) =>
            await s.FailedValidate(s.Client(app, o => o.HwidOverride = new string('h', 300)), await s.NewLicense(app))),
        ["invalid_app"] = ("invalid_app", 401, "/auth/validate", async (s, app) =>
            await s.FailedValidate(s.Client(app, o => o.AppSecret = "wrong-secret"), await s.NewLicense(app))),
        ["invalid_key"] = ("invalid_key", 401, "/auth/validate", (s, app) => s.FailedValidate(s.Client(app), "NOT-A-KEY")),
        ["app_disabled"] = ("app_disabled", 403, "/auth/validate", async (s, app) =>
        {
            var key = await s.NewLicense(app);
            await s.Suspend(app.AccountId);
            return await s.FailedValidate(s.Client(app), key);
        }),
        ["blocked"] = ("blocked", 403, "/auth/validate", async (s, app) =>
        {
            var key = await s.NewLicense(app);
            var client = s.Client(app);
            await s.App(app).SetSecurity(SecurityLists.Empty with { HwidBlacklist = [client.Hwid] });
            return await s.FailedValidate(client, key);
        }),
        ["hwid_mismatch"] = ("hwid_mismatch", 403, "/auth/validate", async (s, app) =>
        {
            var key = await s.NewLicense(app);
            Assert.True((await s.Client(app).ValidateLicenseAsync(key, Cancel)).Valid);
            s.ResetCounts();
            return await s.FailedValidate(s.Client(app), key);
        }),
        ["revoked"] = ("revoked", 410, "/auth/validate", async (s, app) =>
        {
            var key = await s.NewLicense(app);
            await s.License(key).Change(new LicenseChange(LicenseAction.Revoke));
            return await s.FailedValidate(s.Client(app), key);
        }),
        ["expired"] = ("expired", 410, "/auth/validate", async (s, app) =>
            await s.FailedValidate(s.Client(app), await s.NewLicense(app, expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1)))),
        ["rate_limited"] = ("rate_limited", 429, "/auth/validate", async (s, app) =>
        {
            var key = await s.NewLicense(app);
            var client = s.Client(app);
            for (var i = 0; i < 5; i++) Assert.True((await client.ValidateLicenseAsync(key, Cancel)).Valid);
            s.ResetCounts();
            var error = await s.FailedValidate(client, key);
            Assert.InRange(error.RetryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(12));
            return error;
        }),
        ["no_credits"] = ("no_credits", 429, "/auth/validate", async (s, app) => await s.FailedValidate(s.Client(app), await s.NewLicense(app))),
        ["app_burn_cap_reached"] = ("app_burn_cap_reached", 429, "/auth/validate", async (s, app) =>
        {
            var key = await s.NewLicense(app);
            var client = s.Client(app);
            Assert.True((await client.ValidateLicenseAsync(key, Cancel)).Valid);
            s.ResetCounts();
            return await s.FailedValidate(client, key);
        }),
        ["replay_detected"] = ("replay_detected", 401, "/auth/validate", async (s, app) =>
        {
            // Every attempt is made to carry one already-used nonce (the SDK itself sends a fresh one each time).
            var key = await s.NewLicense(app);
            var client = s.Client(app);
            Assert.True((await client.ValidateLicenseAsync(key, Cancel)).Valid);
            var used = s.Proxy.Attempts.Last().Nonce!;
            s.ResetCounts();
            s.Proxy.RewriteRequests("/auth/validate", (_, body) => { body["nonce"] = used; return true; });
            return await s.FailedValidate(client, key);
        }),
        ["session_expired"] = ("session_expired", 401, "/auth/selfban", async (s, app) =>
            await Assert.ThrowsAsync<LicensingException>(() => s.Client(app).SelfBanAsync(sessionToken: "not.a-token", cancellationToken: Cancel))),
        ["revoke_requires_session"] = ("revoke_requires_session", 403, "/auth/selfban", async (s, app) =>
        {
            // The SDK never asks for revocation without a session; the proxy does, to see the code surface.
            var key = await s.NewLicense(app);
            s.Proxy.RewriteRequests("/auth/selfban", (_, body) => { body["revokeLicense"] = true; return true; });
            return await Assert.ThrowsAsync<LicensingException>(() => s.Client(app).SelfBanAsync(licenseKey: key, cancellationToken: Cancel));
        }),
        ["system_error"] = ("system_error", 500, "/auth/validate", async (s, app) =>
        {
            // A real server never fails on purpose: the proxy answers exactly as the server does on a fault.
            var semantic = (await s.App(app).Get())!.FailureHttpStatus == FailureMode.Semantic;
            s.Proxy.On("/auth/validate", (_, _) => Task.FromResult(TamperingProxy.Respond(semantic ? System.Net.HttpStatusCode.InternalServerError : System.Net.HttpStatusCode.OK, """{"status":"failed","error":"system_error"}""")));
            return await s.FailedValidate(s.Client(app), await s.NewLicense(app));
        }),
    };

    public static TheoryData<string, FailureMode> Cases()
    {
        var data = new TheoryData<string, FailureMode>();
        foreach (var row in Rows.Keys)
        {
            data.Add(row, FailureMode.Always200);
            data.Add(row, FailureMode.Semantic);
        }
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task Each_server_code_surfaces_with_its_class_and_is_retried_only_when_transient(string row, FailureMode mode)
    {
        var (code, semantic, path, run) = Rows[row];
        var app = await NewApp(mode: mode, credits: code == "no_credits" ? 0 : 1_000, dailyCap: code == "app_burn_cap_reached" ? 1 : null);

        var error = await run(this, app);

        Assert.Equal(code, error.Code);
        var transient = code is "rate_limited" or "no_credits" or "app_burn_cap_reached" or "replay_detected" or "system_error";
        Assert.Equal(transient, error.IsTransient);
        Assert.Equal(mode == FailureMode.Always200 ? 200 : semantic, error.HttpStatus);
        Assert.Equal(transient ? MaxAttempts : 1, error.Attempts);
        Assert.Equal(transient ? MaxAttempts : 1, Proxy.Count(path) - _countBefore.GetValueOrDefault(path));
        if (code == "bad_request") Assert.Contains("hwid: too long (max 256 characters)", error.Details);
        else Assert.Empty(error.Details);
        if (code != "system_error") Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.Equal(LicensingMessages.ForCode(code), error.UserMessage);
        Assert.DoesNotContain('_', error.UserMessage);
    }

    [Fact]
    public async Task A_replayed_nonce_is_retried_with_a_fresh_one_and_then_succeeds()
    {
        var app = await NewApp();
        var key = await NewLicense(app);
        var client = Client(app);
        Assert.True((await client.ValidateLicenseAsync(key, Cancel)).Valid);
        var used = Proxy.Attempts.Last().Nonce!;
        Proxy.RewriteRequests("/auth/validate", (attempt, body) =>
        {
            if (attempt.Number != 2) return false;
            body["nonce"] = used;
            return true;
        });

        var result = await client.ValidateLicenseAsync(key, Cancel);

        Assert.True(result.Valid, result.Code);
        Assert.Equal(3, Proxy.Count("/auth/validate"));
        var nonces = Proxy.Attempts.Select(a => a.Nonce).ToList();
        Assert.Equal(nonces.Count, nonces.Distinct().Count());
    }

    private readonly Dictionary<string, int> _countBefore = [];

    private void ResetCounts()
    {
        foreach (var path in new[] { "/auth/validate", "/auth/heartbeat", "/auth/selfban" }) _countBefore[path] = Proxy.Count(path);
    }

    private async Task<LicensingException> FailedValidate(LicensingClient client, string key)
    {
        var result = await client.ValidateLicenseAsync(key, Cancel);
        Assert.False(result.Valid);
        return result.Error!;
    }
}
