using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Http.given;

/// <summary>One route of the management APIs, as the app's endpoint data source lists it, with the type its action binds the JSON body to.</summary>
public sealed record ManagementRoute(string Method, string Template, Type? Body)
{
    public bool ReadsBody => Body is not null;

    public bool IsOperator => Template.StartsWith("admin/", StringComparison.Ordinal);

    public override string ToString() => $"{Method} /{Template}";
}

/// <summary>
/// A server of its own (API rate limits off, so hundreds of bad requests are answered on their merits)
/// with one account holding an app, a license, a second API key and a webhook: every route parameter
/// names something that exists, so a request that got through would change something visible.
/// </summary>
public sealed class MalformedRequestWorld : IAsyncLifetime
{
    private readonly TempDirectory _data = new("malformed");

    public LicensingTestHost Host { get; private set; } = null!;
    public DeveloperAccount Account { get; private set; } = null!;
    public string AppId { get; private set; } = null!;
    public string LicenseKey { get; private set; } = null!;
    public string ApiKeyId { get; private set; } = null!;
    public string WebhookId { get; private set; } = null!;
    public string KeyId { get; private set; } = null!;
    public string FileId { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var settings = LicensingTestHost.SqliteSettings(_data.Path);
        settings["Licensing:Api:RateLimits:Burst"] = "0";
        settings["Licensing:Api:RateLimits:PerSecond"] = "0";
        settings["Licensing:Webhooks:AllowPrivateTargets"] = "true";
        Host = await LicensingTestHost.StartAsync(settings);

        Account = await Host.NewAccount("Malformed Inc", credits: 1000);
        var app = await Account.Client.CreateApp(new { name = "Target app" });
        AppId = app.GetProperty("appId").GetString()!;
        KeyId = app.GetProperty("keyId").GetString()!;
        LicenseKey = (await Account.Client.CreateLicense(AppId)).GetProperty("licenseKey").GetString()!;
        using (var key = await Account.Client.PostAsJsonAsync("/v1/api-keys", new { name = "second", scopes = new[] { "read:licenses" } }))
        {
            Assert.True(key.IsSuccessStatusCode, await key.Content.ReadAsStringAsync());
            ApiKeyId = (await key.Body()).GetProperty("apiKeyId").GetString()!;
        }
        // Port 9 (discard) on loopback: deliveries fail, which keeps them away from the snapshot below.
        using (var hook = await Account.Client.PostAsJsonAsync($"/v1/apps/{AppId}/webhooks", new { url = "http://127.0.0.1:9/hook", events = new[] { "license.created" } }))
        {
            Assert.True(hook.IsSuccessStatusCode, await hook.Content.ReadAsStringAsync());
            WebhookId = (await hook.Body()).GetProperty("webhookId").GetString()!;
        }
        using (var file = await Account.Client.PostAsJsonAsync($"/v1/licenses/{LicenseKey}/offline-files", new { expiresAt = DateTimeOffset.UtcNow.AddDays(30), hwids = new[] { "malformed-world" } }))
        {
            Assert.True(file.IsSuccessStatusCode, await file.Content.ReadAsStringAsync());
            FileId = (await file.Body()).GetProperty("fileId").GetString()!;
        }
    }

    /// <summary>Every /v1 and /admin/v1 route of the running app, with the type its action binds a JSON body to.</summary>
    public IReadOnlyList<ManagementRoute> Routes() =>
        [.. Host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Template: e.RoutePattern.RawText!.TrimStart('/')))
            .Where(e => e.Template.StartsWith("v1/", StringComparison.Ordinal) || e.Template.StartsWith("admin/v1/", StringComparison.Ordinal))
            .SelectMany(e => (e.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(method => new ManagementRoute(
                method,
                e.Template,
                e.Endpoint.Metadata.GetMetadata<ControllerActionDescriptor>()?.Parameters.FirstOrDefault(p => p.BindingInfo?.BindingSource == BindingSource.Body)?.ParameterType)))
            .OrderBy(r => r.Template, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)];

    /// <summary>The concrete path of a route: its parameters filled with the things of this world.</summary>
    public string PathOf(ManagementRoute route)
    {
        var path = "/" + route.Template;
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["accountId"] = Account.AccountId,
            ["appId"] = AppId,
            ["licenseKey"] = LicenseKey,
            ["apiKeyId"] = ApiKeyId,
            ["webhookId"] = WebhookId,
            ["keyId"] = KeyId,
            ["fileId"] = FileId,
            ["deliveryId"] = "dlv_01m00000000000000000000000",
        })
        {
            path = path.Replace($"{{{name}}}", value, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("{", path); // a new route parameter: give it a value above
        return route.Template is "v1/licenses" ? $"{path}?appId={AppId}" : path;
    }

    /// <summary>What a request that slipped through would change: the account, ledger, apps, licenses, keys, webhooks, accounts.</summary>
    public async Task<string> SnapshotAsync()
    {
        var text = new StringBuilder();
        foreach (var path in new[]
        {
            $"/admin/v1/accounts/{Account.AccountId}", "/admin/v1/accounts?limit=100",
        })
        {
            text.AppendLine(await ReadAsync(Host.Operator, path));
        }
        foreach (var path in new[]
        {
            "/v1/account", "/v1/account/ledger", "/v1/apps", $"/v1/apps/{AppId}", $"/v1/apps/{AppId}/variables",
            $"/v1/apps/{AppId}/security", $"/v1/licenses?appId={AppId}", $"/v1/licenses/{LicenseKey}",
            $"/v1/licenses/{LicenseKey}/variables", $"/v1/apps/{AppId}/webhooks",
            $"/v1/apps/{AppId}/signing-keys", $"/v1/licenses/{LicenseKey}/offline-files",
        })
        {
            text.AppendLine(await ReadAsync(Account.Client, path));
        }
        // Key listings carry lastUsedAt, which every request moves; the rest of each key must stay.
        var keys = JsonDocument.Parse((await ReadAsync(Account.Client, "/v1/api-keys"))["/v1/api-keys ".Length..]).RootElement;
        foreach (var key in keys.GetProperty("apiKeys").EnumerateArray())
        {
            text.AppendLine(string.Join(",", key.EnumerateObject().Where(p => p.Name != "lastUsedAt").Select(p => $"{p.Name}={p.Value.GetRawText()}")));
        }
        return text.ToString();
    }

    private static async Task<string> ReadAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return $"{path} {body}";
    }

    public async ValueTask DisposeAsync()
    {
        Account?.Dispose();
        await Host.DisposeAsync();
        _data.Dispose();
    }
}
