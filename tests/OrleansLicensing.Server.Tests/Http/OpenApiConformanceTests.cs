using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansLicensing.Server.Http.given;
using OrleansLicensing.Server.Webhooks.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Http;

/// <summary>A server whose webhooks may target the test's loopback receiver.</summary>
public sealed class ConformanceServer : IAsyncLifetime
{
    private readonly TempDirectory _data = new("openapi");

    public LicensingTestHost Host { get; private set; } = null!;

    public WebhookReceiver Receiver { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var settings = LicensingTestHost.SqliteSettings(_data.Path);
        settings["Licensing:Webhooks:AllowPrivateTargets"] = "true";
        Host = await LicensingTestHost.StartAsync(settings);
        Receiver = await WebhookReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary>
/// The reference tells the truth: every operation of /auth, /v1 and /admin/v1 is called on the live
/// server, and each answer's status and body are checked against what /openapi/v1.json documents
/// for it (status listed, body matching the documented schema, no body where none is documented).
/// </summary>
public sealed class OpenApiConformanceTests(ConformanceServer server) : IClassFixture<ConformanceServer>
{
    private LicensingTestHost Host => server.Host;

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Every_operation_answers_with_a_status_and_body_its_documentation_describes()
    {
        using var documentResponse = await Host.Http.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        var doc = new OpenApiConformance(JsonDocument.Parse(await documentResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone());
        async Task<JsonElement> Ok(HttpClient client, HttpMethod method, string path, string template, object? body = null)
        {
            using var response = await Send(client, method, path, body);
            var parsed = await doc.Check(response, method.Method, template);
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {parsed}");
            return parsed ?? default;
        }
        async Task Fails(HttpClient client, HttpMethod method, string path, string template, int status, object? body = null)
        {
            using var response = await Send(client, method, path, body);
            await doc.Check(response, method.Method, template);
            Assert.Equal(status, (int)response.StatusCode);
        }
        var op = Host.Operator;

        // Operator API.
        var account = await Ok(op, HttpMethod.Post, "/admin/v1/accounts", "/admin/v1/accounts", new { name = "Conformance", email = "ops@example.test", credits = 100 });
        var accountId = account.GetProperty("accountId").GetString()!;
        await Fails(op, HttpMethod.Post, "/admin/v1/accounts", "/admin/v1/accounts", 400, new { credits = 1 });
        await Fails(Host.Http, HttpMethod.Get, "/admin/v1/accounts", "/admin/v1/accounts", 401);
        await Ok(op, HttpMethod.Get, "/admin/v1/accounts?limit=2", "/admin/v1/accounts");
        await Ok(op, HttpMethod.Get, $"/admin/v1/accounts/{accountId}", "/admin/v1/accounts/{accountId}");
        await Fails(op, HttpMethod.Get, "/admin/v1/accounts/acc_00000000000000000000000000", "/admin/v1/accounts/{accountId}", 404);
        await Ok(op, HttpMethod.Post, $"/admin/v1/accounts/{accountId}/credits", "/admin/v1/accounts/{accountId}/credits", new { amount = 900, reason = "top-up" });
        await Ok(op, HttpMethod.Post, $"/admin/v1/accounts/{accountId}/suspend", "/admin/v1/accounts/{accountId}/suspend", new { reason = "audit" });
        await Ok(op, HttpMethod.Post, $"/admin/v1/accounts/{accountId}/reactivate", "/admin/v1/accounts/{accountId}/reactivate", new { });

        using var dev = new HttpClient { BaseAddress = Host.BaseAddress };
        dev.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", account.GetProperty("apiKey").GetString());

        // Account, API keys.
        await Ok(dev, HttpMethod.Get, "/v1/account", "/v1/account");
        await Ok(dev, HttpMethod.Get, "/v1/account/ledger", "/v1/account/ledger");
        var key = await Ok(dev, HttpMethod.Post, "/v1/api-keys", "/v1/api-keys", new { name = "ci", scopes = new[] { "read:account" } });
        var keyId = key.GetProperty("apiKeyId").GetString()!;
        await Ok(dev, HttpMethod.Get, "/v1/api-keys", "/v1/api-keys");
        await Ok(dev, HttpMethod.Get, $"/v1/api-keys/{keyId}", "/v1/api-keys/{apiKeyId}");
        await Ok(dev, HttpMethod.Delete, $"/v1/api-keys/{keyId}", "/v1/api-keys/{apiKeyId}");
        await Fails(dev, HttpMethod.Delete, $"/v1/api-keys/{keyId}", "/v1/api-keys/{apiKeyId}", 404);

        // Apps and their settings.
        var app = await Ok(dev, HttpMethod.Post, "/v1/apps", "/v1/apps", new { name = "Conformance app" });
        var appId = app.GetProperty("appId").GetString()!;
        await Fails(dev, HttpMethod.Post, "/v1/apps", "/v1/apps", 400, new { name = "" });
        await Ok(dev, HttpMethod.Get, "/v1/apps", "/v1/apps");
        await Ok(dev, HttpMethod.Get, $"/v1/apps/{appId}", "/v1/apps/{appId}");
        await Ok(dev, HttpMethod.Put, $"/v1/apps/{appId}", "/v1/apps/{appId}", new { name = "Renamed", dailyCreditCap = (long?)null });
        var secret = (await Ok(dev, HttpMethod.Post, $"/v1/apps/{appId}/rotate-secret", "/v1/apps/{appId}/rotate-secret")).GetProperty("appSecret").GetString()!;
        await Ok(dev, HttpMethod.Post, $"/v1/apps/{appId}/rotate-signing-key", "/v1/apps/{appId}/rotate-signing-key");
        await Ok(dev, HttpMethod.Put, $"/v1/apps/{appId}/variables", "/v1/apps/{appId}/variables", new { tier = "pro", seats = 3, beta = true });
        await Ok(dev, HttpMethod.Get, $"/v1/apps/{appId}/variables", "/v1/apps/{appId}/variables");
        await Ok(dev, HttpMethod.Get, $"/v1/apps/{appId}/security", "/v1/apps/{appId}/security");
        await Ok(dev, HttpMethod.Put, $"/v1/apps/{appId}/security", "/v1/apps/{appId}/security", new { hwidBlacklist = new[] { "blocked-machine" } });
        await Ok(dev, HttpMethod.Post, $"/v1/apps/{appId}/security/blacklist", "/v1/apps/{appId}/security/blacklist", new { type = "ip", value = "203.0.113.7" });
        await Ok(dev, HttpMethod.Delete, $"/v1/apps/{appId}/security/blacklist", "/v1/apps/{appId}/security/blacklist", new { type = "ip", value = "203.0.113.7" });
        await Ok(dev, HttpMethod.Post, $"/v1/apps/{appId}/security/whitelist", "/v1/apps/{appId}/security/whitelist", new { type = "hwid", value = "trusted-machine" });
        await Ok(dev, HttpMethod.Delete, $"/v1/apps/{appId}/security/whitelist", "/v1/apps/{appId}/security/whitelist", new { type = "hwid", value = "trusted-machine" });

        // Licenses.
        var created = await Ok(dev, HttpMethod.Post, "/v1/licenses", "/v1/licenses", new { appId, label = "Customer", variables = new { seats = 5 } });
        var licenseKey = created.GetProperty("licenses")[0].GetProperty("licenseKey").GetString()!;
        await Ok(dev, HttpMethod.Get, $"/v1/licenses?appId={appId}", "/v1/licenses");
        await Fails(dev, HttpMethod.Get, "/v1/licenses", "/v1/licenses", 400);
        await Ok(dev, HttpMethod.Get, $"/v1/licenses/{licenseKey}", "/v1/licenses/{licenseKey}");
        await Ok(dev, HttpMethod.Put, $"/v1/licenses/{licenseKey}", "/v1/licenses/{licenseKey}", new { action = "update", label = (string?)null, maxHwidSlots = 2 });
        await Ok(dev, HttpMethod.Put, $"/v1/licenses/{licenseKey}/variables", "/v1/licenses/{licenseKey}/variables", new { seats = 7, plan = "team" });
        await Ok(dev, HttpMethod.Get, $"/v1/licenses/{licenseKey}/variables", "/v1/licenses/{licenseKey}/variables");

        // The SDK protocol: a success, a heartbeat, failures in both modes, a self-ban.
        var hwid = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        string Nonce() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var validated = await Ok(Host.Http, HttpMethod.Post, "/auth/validate", "/auth/validate",
            new { appId, appSecret = secret, licenseKey, hwid, nonce = Nonce() });
        Assert.Equal("success", validated.GetProperty("status").GetString());
        var payload = JsonDocument.Parse(Convert.FromBase64String(validated.GetProperty("payload").GetString()!)).RootElement.Clone();
        // The decoded payload is documented too.
        Assert.Empty(doc.Problems(payload, "AuthPayload"));
        Assert.Equal("success", (await Ok(Host.Http, HttpMethod.Post, "/auth/heartbeat", "/auth/heartbeat",
            new { appId, sessionToken = payload.GetProperty("sessionToken").GetString(), nonce = Nonce(), hwid })).GetProperty("status").GetString());
        Assert.Equal("invalid_key", (await Ok(Host.Http, HttpMethod.Post, "/auth/validate", "/auth/validate",
            new { appId, appSecret = secret, licenseKey = "AAAA-BBBB-CCCC-DDDD", hwid, nonce = Nonce() })).GetProperty("error").GetString());
        await Fails(Host.Http, HttpMethod.Post, "/auth/heartbeat", "/auth/heartbeat", 200, new { appId, nonce = Nonce(), hwid }); // bad_request, always200
        await Ok(dev, HttpMethod.Put, $"/v1/apps/{appId}", "/v1/apps/{appId}", new { failureHttpStatus = "semantic" });
        await Fails(Host.Http, HttpMethod.Post, "/auth/validate", "/auth/validate", 401, new { appId, appSecret = "wrong", licenseKey, hwid, nonce = Nonce() });
        await Fails(Host.Http, HttpMethod.Post, "/auth/validate", "/auth/validate", 400, new { appId, appSecret = secret, licenseKey, hwid, nonce = "short" });
        await Fails(Host.Http, HttpMethod.Post, "/auth/validate", "/auth/validate", 403, new { appId, appSecret = secret, licenseKey, hwid = "blocked-machine", nonce = Nonce() });
        await Ok(Host.Http, HttpMethod.Post, "/auth/selfban", "/auth/selfban",
            new { appId, appSecret = secret, licenseKey, hwid = "tampered-machine", nonce = Nonce(), revokeLicense = false, blacklistIp = false });
        await Ok(dev, HttpMethod.Get, $"/v1/apps/{appId}/logs", "/v1/apps/{appId}/logs");
        await Ok(dev, HttpMethod.Post, $"/v1/licenses/{licenseKey}/hwid/reset", "/v1/licenses/{licenseKey}/hwid/reset");

        // Webhooks, delivered to the test's receiver.
        var webhook = await Ok(dev, HttpMethod.Post, $"/v1/apps/{appId}/webhooks", "/v1/apps/{appId}/webhooks",
            new { url = server.Receiver.Url(), events = new[] { "license.created" } });
        var webhookId = webhook.GetProperty("webhookId").GetString()!;
        await Ok(dev, HttpMethod.Get, $"/v1/apps/{appId}/webhooks", "/v1/apps/{appId}/webhooks");
        await Ok(dev, HttpMethod.Get, $"/v1/apps/{appId}/webhooks/{webhookId}", "/v1/apps/{appId}/webhooks/{webhookId}");
        await Ok(dev, HttpMethod.Put, $"/v1/apps/{appId}/webhooks/{webhookId}", "/v1/apps/{appId}/webhooks/{webhookId}", new { enabled = true });
        var sent = await Ok(dev, HttpMethod.Post, $"/v1/apps/{appId}/webhooks/{webhookId}/test", "/v1/apps/{appId}/webhooks/{webhookId}/test");
        var deliveryId = sent.GetProperty("delivery").GetProperty("deliveryId").GetString()!;
        await Ok(dev, HttpMethod.Get, $"/v1/apps/{appId}/webhooks/{webhookId}/deliveries", "/v1/apps/{appId}/webhooks/{webhookId}/deliveries");
        await Ok(dev, HttpMethod.Post, $"/v1/apps/{appId}/webhooks/{webhookId}/deliveries/{deliveryId}/retry",
            "/v1/apps/{appId}/webhooks/{webhookId}/deliveries/{deliveryId}/retry");
        await Ok(dev, HttpMethod.Delete, $"/v1/apps/{appId}/webhooks/{webhookId}", "/v1/apps/{appId}/webhooks/{webhookId}");

        // Staged signing keys, activation requests and offline files.
        var nextKey = await Ok(dev, HttpMethod.Post, $"/v1/apps/{appId}/signing-keys", "/v1/apps/{appId}/signing-keys");
        var nextKeyId = nextKey.GetProperty("keyId").GetString()!;
        await Ok(dev, HttpMethod.Get, $"/v1/apps/{appId}/signing-keys", "/v1/apps/{appId}/signing-keys");
        await Ok(dev, HttpMethod.Get, $"/v1/apps/{appId}/signing-keys/{nextKeyId}", "/v1/apps/{appId}/signing-keys/{keyId}");
        await Fails(dev, HttpMethod.Get, $"/v1/apps/{appId}/signing-keys/0000000000000000", "/v1/apps/{appId}/signing-keys/{keyId}", 404);
        await Fails(dev, HttpMethod.Post, $"/v1/apps/{appId}/signing-keys", "/v1/apps/{appId}/signing-keys", 409);
        await Ok(dev, HttpMethod.Delete, $"/v1/apps/{appId}/signing-keys/{nextKeyId}", "/v1/apps/{appId}/signing-keys/{keyId}");
        nextKeyId = (await Ok(dev, HttpMethod.Post, $"/v1/apps/{appId}/signing-keys", "/v1/apps/{appId}/signing-keys")).GetProperty("keyId").GetString()!;
        await Ok(dev, HttpMethod.Post, $"/v1/apps/{appId}/signing-keys/{nextKeyId}/promote", "/v1/apps/{appId}/signing-keys/{keyId}/promote");
        var activation = Developer.Licenses.Offline.OfflineFilesApiTests.ActivationRequest(appId, "offline-machine");
        await Ok(dev, HttpMethod.Post, $"/v1/apps/{appId}/activation-requests", "/v1/apps/{appId}/activation-requests", new { request = activation });
        await Fails(dev, HttpMethod.Post, $"/v1/apps/{appId}/activation-requests", "/v1/apps/{appId}/activation-requests", 400, new { request = "not an activation request" });
        // Minting costs a credit: with the app's daily cap spent (the validate above took today's credit) it is a 402.
        await Ok(dev, HttpMethod.Put, $"/v1/apps/{appId}", "/v1/apps/{appId}", new { dailyCreditCap = 1 });
        await Fails(dev, HttpMethod.Post, $"/v1/licenses/{licenseKey}/offline-files", "/v1/licenses/{licenseKey}/offline-files", 402,
            new { hwids = new[] { "capped-machine" }, expiresAt = DateTimeOffset.UtcNow.AddDays(30) });
        await Ok(dev, HttpMethod.Put, $"/v1/apps/{appId}", "/v1/apps/{appId}", new { dailyCreditCap = (long?)null });
        var offline = await Ok(dev, HttpMethod.Post, $"/v1/licenses/{licenseKey}/offline-files", "/v1/licenses/{licenseKey}/offline-files",
            new { activationRequest = activation, expiresAt = DateTimeOffset.UtcNow.AddDays(30) });
        var fileId = offline.GetProperty("fileId").GetString()!;
        await Ok(dev, HttpMethod.Get, $"/v1/licenses/{licenseKey}/offline-files", "/v1/licenses/{licenseKey}/offline-files");
        await Ok(dev, HttpMethod.Get, $"/v1/licenses/{licenseKey}/offline-files/{fileId}", "/v1/licenses/{licenseKey}/offline-files/{fileId}");

        // Deletes answer 204 without a body.
        await Ok(dev, HttpMethod.Delete, $"/v1/licenses/{licenseKey}", "/v1/licenses/{licenseKey}");
        await Ok(dev, HttpMethod.Delete, $"/v1/apps/{appId}", "/v1/apps/{appId}");
        await Fails(dev, HttpMethod.Get, $"/v1/apps/{appId}", "/v1/apps/{appId}", 404);

        var unchecked_ = doc.Operations("/auth/", "/v1/", "/admin/v1/").Except(doc.Checked).ToList();
        Assert.True(unchecked_.Count == 0, "Operations not called: " + string.Join(", ", unchecked_));
    }
}
