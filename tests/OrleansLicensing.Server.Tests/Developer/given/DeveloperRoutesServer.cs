using System.Net;
using System.Text.Json;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Developer.given;

/// <summary>
/// A real server (SQLite, HTTP) for the developer routes whose effect shows on <c>/auth/*</c>: like the
/// auth protocol server, 127.0.0.1 is a trusted proxy so each test speaks from its own client address.
/// </summary>
public sealed class DeveloperRoutesServer : IAsyncLifetime
{
    private readonly TempDirectory _data = new("devroutes");

    public LicensingTestHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var settings = LicensingTestHost.SqliteSettings(_data.Path);
        settings["Licensing:Auth:TrustedProxies:0"] = "127.0.0.1";
        settings["Licensing:Auth:TrustedProxies:1"] = "::1";
        Host = await LicensingTestHost.StartAsync(settings);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DeveloperRoutesCollection : ICollectionFixture<DeveloperRoutesServer>
{
    public const string Name = "developer routes server";
}

/// <summary>Arrangement through the developer API, plus the SDK-side calls of <see cref="AuthSpec"/>.</summary>
public abstract class DeveloperRoutesSpec(LicensingTestHost host) : AuthSpec(host)
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>A new account and an app created through <c>POST /v1/apps</c>.</summary>
    protected async Task<(DeveloperAccount Account, TestApp App)> NewDeveloperApp()
    {
        var account = await Host.NewAccount(credits: 1_000);
        var created = await account.Client.CreateApp();
        return (account, new TestApp(created.Id("appId"), created.Id("appSecret"), SigningScheme.Ed25519, created.Id("publicKey"), created.Id("keyId"), account.AccountId));
    }

    /// <summary>A license of <paramref name="app"/> created through <c>POST /v1/licenses</c>.</summary>
    protected static async Task<string> NewApiLicense(DeveloperAccount account, TestApp app) =>
        (await account.Client.CreateLicense(app.AppId)).Id("licenseKey");

    /// <summary>A client of the same account whose key holds only <paramref name="scopes"/>.</summary>
    protected async Task<HttpClient> ClientWithScopes(DeveloperAccount account, params string[] scopes) =>
        Host.ClientWithKey(await Host.RegisterKey(account.AccountId, scopes));

    protected static async Task<(HttpStatusCode Status, string Body)> Send(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = Json.Raw(json);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    protected static async Task<string[]> SendExpectingError(HttpClient client, HttpMethod method, string path, string? json, int status, string code)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = Json.Raw(json);
        using var response = await client.SendAsync(request);
        return await response.AssertError(status, code);
    }

    protected static async Task<JsonElement> SendOk(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = Json.Raw(json);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The payload of a successful validate (verified like a strict SDK does).</summary>
    protected async Task<JsonElement> ValidatedPayload(TestApp app, string key, string hwid, string? ip = null)
    {
        var nonce = NewNonce();
        return Verify(await Validate(app, key, hwid, nonce, ip: ip), app, nonce, requestSigKey: null).Payload;
    }
}
