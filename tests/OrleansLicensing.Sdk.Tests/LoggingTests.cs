using System.Net;
using OrleansLicensing.Licenses;
using OrleansLicensing.Sdk.given;

namespace OrleansLicensing.Sdk;

/// <summary>Logging (docs/protocol.md §17.11): real codes, statuses, attempts and request ids — never secrets.</summary>
[Collection(SdkServerCollection.Name)]
public sealed class LoggingTests(SdkServer server) : SdkSpec(server)
{
    [Theory, MemberData(nameof(Schemes))]
    public async Task Failures_are_logged_with_code_status_attempt_and_request_id_but_secrets_never(SigningScheme scheme)
    {
        var app = await NewApp(scheme);
        var key = await NewLicense(app);
        var client = Client(app, o => o.HeartbeatMode = HeartbeatMode.Server);
        await LoginOk(client, key);
        await Until(() => Proxy.Count("/auth/heartbeat") >= 2, "heartbeats");
        var tokens = new HashSet<string>();
        var signatures = new HashSet<string>();
        var sigKeys = new HashSet<string>();
        // Collect every secret the session carried so far.
        void Collect()
        {
            if (client.SessionData is { } data) tokens.Add(data.GetProperty("sessionToken").GetString()!);
        }
        Collect();
        Proxy.On("/auth/heartbeat", async (_, forward) =>
        {
            using var real = await forward();
            var body = await real.Content.ReadAsStringAsync();
            var envelope = System.Text.Json.JsonDocument.Parse(body).RootElement;
            if (envelope.TryGetProperty("signature", out var s)) lock (signatures) signatures.Add(s.GetString()!);
            return given.TamperingProxy.Respond(HttpStatusCode.OK, body);
        });
        await Until(() => { lock (signatures) return signatures.Count >= 1; }, "a recorded heartbeat");
        Collect();
        if (scheme == SigningScheme.HmacV2)
        {
            var first = tokens.First().Split('.')[0];
            var json = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(first.Replace('-', '+').Replace('_', '/') + new string('=', (4 - first.Length % 4) % 4)));
            sigKeys.Add(System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("sigKey").GetString()!);
        }

        // A permanent failure (revocation) and a transient one on validate, and a failed self-ban.
        await License(key).Change(new LicenseChange(LicenseAction.Revoke));
        await Until(() => !Failures.IsEmpty, "heartbeat_failed");
        Proxy.On("/auth/validate", (_, _) => Task.FromResult(given.TamperingProxy.Respond(HttpStatusCode.ServiceUnavailable, "down", "text/plain")));
        Assert.False(await client.LoginAsync(key, Cancel));
        await Assert.ThrowsAsync<LicensingException>(() => client.SelfBanAsync(sessionToken: "bogus.token", cancellationToken: Cancel));

        var log = Logs.All;
        Assert.Contains("Licensing heartbeat failed: revoked", log);
        Assert.Contains("attempt 3/4 failed: http_error_503", log);
        Assert.Contains("Code=http_error_503", log);
        Assert.Contains("HttpStatus=503", log);
        Assert.Contains("Attempt=4", log);
        Assert.Contains("RequestId=req_", log);
        Assert.Contains("…" + key[^4..], log);

        Assert.DoesNotContain(app.AppSecret, log);
        Assert.DoesNotContain(key, log);
        Assert.DoesNotContain(key[..^4], log);
        Assert.NotEmpty(tokens);
        foreach (var token in tokens) Assert.DoesNotContain(token.Split('.')[1], log);
        foreach (var token in tokens) Assert.DoesNotContain(token.Split('.')[0][..40], log);
        Assert.NotEmpty(signatures);
        foreach (var signature in signatures) Assert.DoesNotContain(signature, log);
        foreach (var sigKey in sigKeys) Assert.DoesNotContain(sigKey, log);
    }
}
