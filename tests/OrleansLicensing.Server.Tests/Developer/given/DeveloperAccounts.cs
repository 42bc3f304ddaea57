using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicensing.Accounts;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Security;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Developer.given;

/// <summary>A developer account with an HTTP client that sends its first (all-scopes) API key.</summary>
public sealed class DeveloperAccount(string accountId, string apiKey, HttpClient client) : IDisposable
{
    public string AccountId { get; } = accountId;
    public string ApiKey { get; } = apiKey;
    public HttpClient Client { get; } = client;

    public void Dispose() => Client.Dispose();
}

public static class DeveloperAccounts
{
    public const string LicenseKeyPattern = "^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$";

    /// <summary>Creates an account through the operator API.</summary>
    public static async Task<DeveloperAccount> NewAccount(this LicensingTestHost host, string name = "Vendor", long credits = 100)
    {
        using var response = await host.Operator.PostAsJsonAsync("/admin/v1/accounts", new { name, credits });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Body();
        var apiKey = body.GetProperty("apiKey").GetString()!;
        return new DeveloperAccount(body.GetProperty("accountId").GetString()!, apiKey, host.ClientWithKey(apiKey));
    }

    /// <summary>A client that sends <paramref name="authorization"/> verbatim (or nothing).</summary>
    public static HttpClient ClientWithAuthorization(this LicensingTestHost host, string? authorization)
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (authorization is not null) client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        return client;
    }

    public static HttpClient ClientWithKey(this LicensingTestHost host, string apiKey)
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    /// <summary>
    /// A further key of <paramref name="accountId"/> with the given scopes, registered straight in the
    /// key lookup grain (no endpoint creates keys yet).
    /// </summary>
    public static async Task<string> RegisterKey(this LicensingTestHost host, string accountId, IReadOnlyList<string> scopes, DateTimeOffset? expiresAt = null)
    {
        var apiKey = ApiKeys.Generate();
        await host.Grains.GetGrain<IApiKeyGrain>(ApiKeyGrain.KeyFor(ApiKeys.Hash(apiKey)))
            .Register(new ApiKeyBinding(accountId, ResourceId.New("key", DateTimeOffset.UtcNow), scopes, expiresAt));
        return apiKey;
    }

    public static async Task<JsonElement> CreateApp(this HttpClient client, object? body = null)
    {
        using var response = await client.PostAsJsonAsync("/v1/apps", body ?? new { name = "Test app" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Body();
    }

    public static async Task<JsonElement> CreateLicense(this HttpClient client, string appId)
    {
        using var response = await client.PostAsJsonAsync("/v1/licenses", new { appId });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Body()).GetProperty("licenses")[0];
    }

    public static async Task<JsonElement> GetJson(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Body();
    }

    public static string Id(this JsonElement resource, string property) => resource.GetProperty(property).GetString()!;
}
