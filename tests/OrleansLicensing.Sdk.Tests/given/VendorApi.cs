using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Sdk.given;

/// <summary>A vendor driving the real server's developer API (<c>/v1</c>) with its API key, as a vendor's tooling would.</summary>
public sealed class VendorApi : IDisposable
{
    private VendorApi(HttpClient http, string accountId)
    {
        Http = http;
        AccountId = accountId;
    }

    public HttpClient Http { get; }

    public string AccountId { get; }

    public static async Task<VendorApi> CreateAsync(LicensingTestHost host, long credits = 1_000)
    {
        using var response = await host.Operator.PostAsJsonAsync("/admin/v1/accounts", new { name = "Vendor", credits });
        response.EnsureSuccessStatusCode();
        var account = await response.Content.ReadFromJsonAsync<JsonElement>();
        var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", account.GetProperty("apiKey").GetString());
        return new VendorApi(http, account.GetProperty("accountId").GetString()!);
    }

    /// <summary>POSTs <paramref name="body"/> (JSON, or nothing) and returns the body, asserting <paramref name="expected"/>.</summary>
    public async Task<JsonElement> Post(string path, object? body, HttpStatusCode expected)
    {
        using var response = body is null ? await Http.PostAsync(path, null) : await Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<TestApp> CreateApp()
    {
        var app = await Post("/v1/apps", new { name = "Offline product" }, HttpStatusCode.Created);
        return new TestApp(app.GetProperty("appId").GetString()!, app.GetProperty("appSecret").GetString()!, SigningScheme.Ed25519,
            app.GetProperty("publicKey").GetString()!, app.GetProperty("keyId").GetString()!, AccountId);
    }

    public async Task<string> CreateLicense(string appId, int slots = 1) =>
        (await Post("/v1/licenses", new { appId, maxHwidSlots = slots }, HttpStatusCode.Created)).GetProperty("licenses")[0].GetProperty("licenseKey").GetString()!;

    public void Dispose() => Http.Dispose();
}
