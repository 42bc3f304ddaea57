using System.Net;
using System.Net.Http.Json;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Security;

namespace OrleansLicensing.Server.Developer;

[Collection(SqliteServerCollection.Name)]
public sealed class ApiKeyAuthTests(SqliteServer server)
{
    private Testing.LicensingTestHost Host => server.Host;

    public static TheoryData<string?> BadAuthorizations => new(new string?[]
    {
        null,
        "",
        "Basic dGVzdDp0ZXN0",
        "Bearer",
        "Bearer ",
        "Bearer af_live_short",
        "Bearer af_test_" + new string('a', 40),
        "Bearer af_live_" + new string('a', 39) + "!",
        "Bearer af_live_" + new string('a', 41),
        "Bearer " + ApiKeys.Generate(), // well-formed but never issued
        "Bearer " + Testing.LicensingTestHost.OperatorToken,
    });

    [Theory]
    [MemberData(nameof(BadAuthorizations))]
    public async Task Missing_malformed_or_unknown_keys_are_401_on_every_route(string? authorization)
    {
        using var client = Host.ClientWithAuthorization(authorization);

        foreach (var (method, path) in new[]
                 {
                     ("GET", "/v1/account"),
                     ("POST", "/v1/apps"),
                     ("GET", $"/v1/apps/{Guid.NewGuid()}"),
                     ("PUT", $"/v1/apps/{Guid.NewGuid()}"),
                     ("POST", $"/v1/apps/{Guid.NewGuid()}/rotate-secret"),
                     ("POST", $"/v1/apps/{Guid.NewGuid()}/rotate-signing-key"),
                     ("POST", "/v1/licenses"),
                     ("GET", "/v1/licenses/ABCD-EFGH-JKLM-NPQR"),
                     ("PUT", "/v1/licenses/ABCD-EFGH-JKLM-NPQR"),
                 })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method != "GET") request.Content = Json.Raw("{}");
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            await response.AssertError(401, "invalid_api_key");
        }
    }

    [Fact]
    public async Task An_expired_key_is_401_and_one_expiring_later_works()
    {
        using var account = await Host.NewAccount();
        using var expired = Host.ClientWithKey(await Host.RegisterKey(account.AccountId, ["*"], DateTimeOffset.UtcNow.AddMinutes(-1)));
        using var later = Host.ClientWithKey(await Host.RegisterKey(account.AccountId, ["*"], DateTimeOffset.UtcNow.AddHours(1)));

        using var refused = await expired.GetAsync("/v1/account", TestContext.Current.CancellationToken);
        using var accepted = await later.GetAsync("/v1/account", TestContext.Current.CancellationToken);

        await refused.AssertError(401, "invalid_api_key");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task A_key_whose_account_does_not_exist_is_401()
    {
        using var orphan = Host.ClientWithKey(await Host.RegisterKey(ResourceId.New("acc", DateTimeOffset.UtcNow), ["*"]));

        using var response = await orphan.GetAsync("/v1/account", TestContext.Current.CancellationToken);

        await response.AssertError(401, "invalid_api_key");
    }

    [Fact]
    public async Task The_bearer_scheme_name_is_case_insensitive()
    {
        using var account = await Host.NewAccount();
        using var client = Host.ClientWithAuthorization("bearer " + account.ApiKey);

        using var response = await client.GetAsync("/v1/account", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_suspended_account_gets_403_on_every_route_until_it_is_reactivated()
    {
        using var account = await Host.NewAccount();
        var app = await account.Client.CreateApp();
        var appId = app.Id("appId");
        var license = await account.Client.CreateLicense(appId);
        (await Host.Operator.PostAsJsonAsync($"/admin/v1/accounts/{account.AccountId}/suspend", new { reason = "unpaid" }, cancellationToken: TestContext.Current.CancellationToken)).Dispose();

        foreach (var (method, path, body) in new[]
                 {
                     ("GET", "/v1/account", null),
                     ("GET", $"/v1/apps/{appId}", null),
                     ("PUT", $"/v1/apps/{appId}", "{\"name\":\"renamed\"}"),
                     ("POST", "/v1/apps", "{\"name\":\"another\"}"),
                     ("POST", "/v1/licenses", $"{{\"appId\":\"{appId}\"}}"),
                     ("PUT", $"/v1/licenses/{license.Id("licenseKey")}", "{\"action\":\"revoke\"}"),
                 })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : Json.Raw(body) };
            using var response = await account.Client.SendAsync(request, TestContext.Current.CancellationToken);
            await response.AssertError(403, "forbidden");
        }

        (await Host.Operator.PostAsync($"/admin/v1/accounts/{account.AccountId}/reactivate", null, TestContext.Current.CancellationToken)).Dispose();
        var after = await account.Client.GetJson($"/v1/apps/{appId}");
        Assert.Equal("Test app", after.Id("name"));
        Assert.Equal("active", (await account.Client.GetJson($"/v1/licenses/{license.Id("licenseKey")}")).Id("status"));
    }

    /// <summary>Every route, the scope it needs, and a body that succeeds with that scope.</summary>
    private static IEnumerable<(string Method, string Path, string? Body, string Scope, HttpStatusCode Success)> Routes(string appId, string licenseKey) =>
    [
        ("GET", "/v1/account", null, "read:account", HttpStatusCode.OK),
        ("POST", "/v1/apps", "{\"name\":\"scoped\"}", "write:apps", HttpStatusCode.Created),
        ("GET", $"/v1/apps/{appId}", null, "read:apps", HttpStatusCode.OK),
        ("PUT", $"/v1/apps/{appId}", "{\"name\":\"Test app\"}", "write:apps", HttpStatusCode.OK),
        ("POST", $"/v1/apps/{appId}/rotate-secret", null, "admin:apps", HttpStatusCode.OK),
        ("POST", $"/v1/apps/{appId}/rotate-signing-key", null, "admin:apps", HttpStatusCode.OK),
        ("POST", "/v1/licenses", $"{{\"appId\":\"{appId}\"}}", "write:licenses", HttpStatusCode.Created),
        ("GET", $"/v1/licenses/{licenseKey}", null, "read:licenses", HttpStatusCode.OK),
        ("PUT", $"/v1/licenses/{licenseKey}", "{\"action\":\"activate\"}", "write:licenses", HttpStatusCode.OK),
    ];

    // Which held scope grants which required one (a write scope includes its read scope; admin:apps includes write:apps).
    private static readonly Dictionary<string, string[]> GrantedBy = new()
    {
        ["read:account"] = ["read:account"],
        ["read:apps"] = ["read:apps", "write:apps", "admin:apps"],
        ["write:apps"] = ["write:apps", "admin:apps"],
        ["admin:apps"] = ["admin:apps"],
        ["read:licenses"] = ["read:licenses", "write:licenses"],
        ["write:licenses"] = ["write:licenses"],
    };

    private static readonly string[] EveryScope =
        ["read:licenses", "write:licenses", "read:apps", "write:apps", "admin:apps", "read:webhooks", "write:webhooks", "read:logs", "read:account"];

    [Fact]
    public async Task Each_route_answers_a_key_with_its_scope_and_refuses_every_key_without_it_with_403()
    {
        using var account = await Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var licenseKey = (await account.Client.CreateLicense(appId)).Id("licenseKey");

        foreach (var route in Routes(appId, licenseKey))
        {
            foreach (var held in EveryScope)
            {
                using var client = Host.ClientWithKey(await Host.RegisterKey(account.AccountId, [held]));
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path) { Content = route.Body is null ? null : Json.Raw(route.Body) };
                using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

                if (GrantedBy[route.Scope].Contains(held))
                {
                    Assert.True(route.Success == response.StatusCode, $"{route.Method} {route.Path} with {held}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
                }
                else
                {
                    var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                    Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route.Method} {route.Path} with {held}: {(int)response.StatusCode} {text}");
                    await response.AssertError(403, "forbidden");
                }
            }
        }
    }

    [Fact]
    public async Task A_key_without_the_scope_changes_nothing()
    {
        using var account = await Host.NewAccount();
        var app = await account.Client.CreateApp();
        var appId = app.Id("appId");
        using var reader = Host.ClientWithKey(await Host.RegisterKey(account.AccountId, ["read:apps", "read:licenses", "read:account"]));

        using var update = await reader.PutAsync($"/v1/apps/{appId}", Json.Raw("{\"name\":\"hijacked\",\"status\":\"disabled\"}"), TestContext.Current.CancellationToken);
        using var rotate = await reader.PostAsync($"/v1/apps/{appId}/rotate-signing-key", null, TestContext.Current.CancellationToken);

        await update.AssertError(403, "forbidden");
        await rotate.AssertError(403, "forbidden");
        var after = await account.Client.GetJson($"/v1/apps/{appId}");
        Assert.Equal(("Test app", "active", app.Id("keyId")), (after.Id("name"), after.Id("status"), after.Id("keyId")));
    }

    [Fact]
    public async Task A_key_with_several_scopes_may_use_each_of_them()
    {
        using var account = await Host.NewAccount();
        using var client = Host.ClientWithKey(await Host.RegisterKey(account.AccountId, ["write:apps", "write:licenses"]));

        var appId = (await client.CreateApp()).Id("appId");
        var license = await client.CreateLicense(appId);
        using var accountRead = await client.GetAsync("/v1/account", TestContext.Current.CancellationToken);

        Assert.Matches(DeveloperAccounts.LicenseKeyPattern, license.Id("licenseKey"));
        await accountRead.AssertError(403, "forbidden");
    }
}
