using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansLicensing.Accounts;
using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Auth;
using OrleansLicensing.Server.Auth.Signing;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLicensing.Server.Auth.given;

/// <summary>
/// A real server for the SDK protocol. 127.0.0.1 is a trusted proxy, so each test can speak from its
/// own client address through <c>X-Forwarded-For</c> (the per-IP limit then applies per test).
/// Heartbeats are billed every 3rd.
/// </summary>
public sealed class AuthServer : IAsyncLifetime
{
    private readonly TempDirectory _data = new("auth");

    public LicensingTestHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var settings = LicensingTestHost.SqliteSettings(_data.Path);
        settings["Licensing:Auth:TrustedProxies:0"] = "127.0.0.1";
        settings["Licensing:Auth:TrustedProxies:1"] = "::1";
        settings["Licensing:Auth:HeartbeatBillingInterval"] = "3";
        settings["Licensing:Metrics:GrainCallsSampling"] = "1"; // GrainCallBudgetTests reads every request's count
        Host = await LicensingTestHost.StartAsync(settings);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class AuthServerCollection : ICollectionFixture<AuthServer>
{
    public const string Name = "auth protocol server";
}

/// <summary>An app as a vendor sees it after creating it.</summary>
public sealed record TestApp(string AppId, string AppSecret, SigningScheme Scheme, string PublicKey, string KeyId, string AccountId);

/// <summary>One HTTP reply of the auth surface.</summary>
public sealed record AuthReply(HttpStatusCode Status, string Body, HttpResponseMessage Response)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) =>
        Response.Headers.TryGetValues(name, out var values) || Response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;
}

/// <summary>A verified success: the decoded payload and the session token it carries.</summary>
public sealed record VerifiedSession(JsonElement Payload, string Token, JsonElement TokenBody)
{
    public string SigKey => TokenBody.TryGetProperty("sigKey", out var key) ? key.GetString()! : "";
}

/// <summary>Arrangement and a client that verifies responses with the project's own signing code.</summary>
public abstract class AuthSpec(LicensingTestHost host)
{
    protected LicensingTestHost Host { get; } = host;

    protected IGrainFactory Grains => Host.Grains;

    /// <summary>A client address of its own for this test (seen through the trusted proxy).</summary>
    protected string Ip { get; } = $"198.51.{Random.Shared.Next(0, 255)}.{Random.Shared.Next(1, 255)}";

    protected async Task<string> NewAccount(long credits = 1_000)
    {
        var response = await Host.Operator.PostAsJsonAsync("/admin/v1/accounts", new { name = "Vendor", credits });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accountId").GetString()!;
    }

    protected async Task<TestApp> NewApp(SigningScheme scheme = SigningScheme.Ed25519, FailureMode mode = FailureMode.Always200, long? dailyCap = null, string? accountId = null, long credits = 1_000)
    {
        accountId ??= await NewAccount(credits);
        var appId = Guid.NewGuid().ToString();
        var created = await Grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId)).Create(new CreateApp(accountId, "Product", scheme, mode, dailyCap));
        Assert.NotNull(created);
        return new TestApp(appId, created.AppSecret, scheme, created.App.PublicKey, created.App.KeyId, accountId);
    }

    protected async Task<string> NewLicense(TestApp app, int slots = 1, bool unlimited = false, DateTimeOffset? expiresAt = null, string? label = null, IReadOnlyList<Variable>? variables = null)
    {
        var key = LicenseKey.Generate();
        var created = await Grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(key))
            .Create(new CreateLicense(app.AppId, app.AccountId, expiresAt, slots, unlimited, label, variables ?? Variables.None));
        Assert.NotNull(created);
        return key;
    }

    protected ILicenseGrain License(string key) => Grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(key));

    protected IAppGrain App(TestApp app) => Grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(app.AppId));

    protected async Task<long> Balance(string accountId) => (await Grains.GetGrain<IDeveloperAccountGrain>(accountId).Get())!.Credits;

    protected static string NewNonce() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    protected static string NewHwid() => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()));

    /// <summary>The server's session-token codec (same secrets), to craft tokens a client could hold.</summary>
    protected SessionTokenCodec Tokens => Host.Services.GetRequiredService<AuthSettings>().Tokens;

    protected Task<AuthReply> Post(string path, object body, string? ip = null) =>
        PostRaw(path, JsonSerializer.Serialize(body), ip);

    protected async Task<AuthReply> PostRaw(string path, string body, string? ip = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Forwarded-For", ip ?? Ip);
        var response = await Host.Http.SendAsync(request);
        return new AuthReply(response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    protected Task<AuthReply> Validate(TestApp app, string key, string hwid, string? nonce = null, long? ttl = null, string? ip = null, string? secret = null) =>
        Post("/auth/validate", ttl is null
            ? new { appId = app.AppId, appSecret = secret ?? app.AppSecret, licenseKey = key, hwid, nonce = nonce ?? NewNonce() }
            : new { appId = app.AppId, appSecret = secret ?? app.AppSecret, licenseKey = key, hwid, nonce = nonce ?? NewNonce(), ttlSeconds = ttl }, ip);

    protected Task<AuthReply> Heartbeat(TestApp app, string token, string hwid, string? nonce = null) =>
        Post("/auth/heartbeat", new { appId = app.AppId, sessionToken = token, nonce = nonce ?? NewNonce(), hwid });

    /// <summary>Validates and verifies; returns the session.</summary>
    protected async Task<VerifiedSession> Login(TestApp app, string key, string hwid)
    {
        var nonce = NewNonce();
        var reply = await Validate(app, key, hwid, nonce);
        return Verify(reply, app, nonce, requestSigKey: null);
    }

    /// <summary>
    /// Checks a signed success exactly as a strict SDK would: envelope shape and key order, standard
    /// base64 payload, nonce echo, signature under the app's scheme, token expiry fields.
    /// </summary>
    protected static VerifiedSession Verify(AuthReply reply, TestApp app, string nonce, string? requestSigKey)
    {
        Assert.True(reply.Status == HttpStatusCode.OK, $"{(int)reply.Status}: {reply.Body}");
        var envelope = JsonNode.Parse(reply.Body)!.AsObject();
        var keys = envelope.Select(p => p.Key).ToArray();
        Assert.Equal(app.Scheme == SigningScheme.Ed25519 ? ["status", "payload", "signature", "keyId"] : new[] { "status", "payload", "signature" }, keys);
        Assert.Equal("success", (string?)envelope["status"]);
        var p = (string)envelope["payload"]!;
        var signature = (string)envelope["signature"]!;
        var payloadBytes = Convert.FromBase64String(p); // standard, padded base64 or this throws
        var payload = JsonDocument.Parse(payloadBytes).RootElement;
        Assert.Equal(nonce, payload.GetProperty("nonce").GetString());

        var signed = Encoding.ASCII.GetBytes(p);
        switch (app.Scheme)
        {
            case SigningScheme.Ed25519:
                Assert.Equal(88, signature.Length);
                Assert.True(Ed25519Keys.Verify(Convert.FromBase64String(app.PublicKey), signed, Convert.FromBase64String(signature)), "Ed25519 signature does not verify");
                Assert.Equal(app.KeyId, (string?)envelope["keyId"]);
                break;
            default:
                var material = requestSigKey ?? app.AppSecret;
                Assert.Equal(HmacSigning.Sign(HmacSigning.DeriveKey(material, nonce), p), signature);
                break;
        }

        var token = payload.GetProperty("sessionToken").GetString()!;
        var first = token.Split('.')[0];
        Assert.DoesNotContain("=", first);
        var tokenBody = JsonDocument.Parse(Base64UrlDecode(first)).RootElement;
        var expiresIn = payload.GetProperty("expiresIn").GetInt64();
        Assert.Equal(expiresIn, tokenBody.GetProperty("exp").GetInt64());
        Assert.Equal(expiresIn, tokenBody.GetProperty("expiresIn").GetInt64());
        Assert.Equal(reply.Header("X-Request-Id"), payload.GetProperty("requestId").GetString());
        Assert.Equal("no-store", reply.Header("Cache-Control"));
        return new VerifiedSession(payload, token, tokenBody);
    }

    protected static byte[] Base64UrlDecode(string text) => Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - text.Length % 4) % 4));

    /// <summary>Asserts the exact failure body and the HTTP status of the mode.</summary>
    protected static void AssertFailure(AuthReply reply, string code, FailureMode mode, int semanticStatus)
    {
        Assert.Equal($"{{\"status\":\"failed\",\"error\":\"{code}\"}}", reply.Body);
        Assert.Equal(mode == FailureMode.Always200 ? 200 : semanticStatus, (int)reply.Status);
        Assert.Equal("application/json; charset=utf-8", reply.Header("Content-Type"));
        Assert.Equal("no-store", reply.Header("Cache-Control"));
        if (code == "rate_limited") Assert.True(int.Parse(reply.Header("Retry-After")!) >= 1);
        else Assert.Null(reply.Header("Retry-After"));
    }
}
