using System.Net;
using System.Text.Json;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;

namespace OrleansLicensing.Server.Developer.Apps;

[Collection(DeveloperRoutesCollection.Name)]
public sealed class AppsListAndDeleteApiTests(DeveloperRoutesServer server) : DeveloperRoutesSpec(server.Host)
{
    private static async Task<List<JsonElement>> ListAll(HttpClient client, int limit)
    {
        var apps = new List<JsonElement>();
        string? cursor = null;
        for (var page = 0; page < 50; page++)
        {
            var body = await client.GetJson($"/v1/apps?limit={limit}" + (cursor is null ? "" : $"&cursor={cursor}"));
            apps.AddRange(body.GetProperty("apps").EnumerateArray().Select(a => a.Clone()));
            cursor = body.GetProperty("cursor").GetString();
            if (cursor is null) return apps;
        }
        throw new InvalidOperationException("the cursor never ended");
    }

    [Fact]
    public async Task List_pages_through_exactly_the_callers_apps_without_secrets()
    {
        using var account = await Host.NewAccount();
        using var other = await Host.NewAccount("Other");
        await other.Client.CreateApp();
        var created = new List<JsonElement>();
        for (var i = 0; i < 5; i++) created.Add(await account.Client.CreateApp(new { name = $"app {i}" }));

        var listed = await ListAll(account.Client, limit: 2);

        Assert.Equal(created.Select(a => a.Id("appId")).Order(StringComparer.Ordinal), listed.Select(a => a.Id("appId")));
        Assert.All(listed, a => Assert.False(a.TryGetProperty("appSecret", out _)));
        var first = listed.Single(a => a.Id("appId") == created[0].Id("appId"));
        Assert.Equal((await account.Client.GetJson($"/v1/apps/{created[0].Id("appId")}")).GetRawText(), first.GetRawText());
        Assert.Equal(5, (await ListAll(account.Client, limit: 200)).Count);
    }

    [Fact]
    public async Task List_of_an_account_without_apps_is_empty()
    {
        using var account = await Host.NewAccount();

        var body = await account.Client.GetJson("/v1/apps");

        Assert.Equal("""{"apps":[],"cursor":null}""", body.GetRawText());
    }

    [Theory]
    [InlineData("?limit=0", "limit: must be an integer from 1 to 200")]
    [InlineData("?limit=201", "limit: must be an integer from 1 to 200")]
    [InlineData("?limit=x", "limit: must be an integer from 1 to 200")]
    [InlineData("?cursor=bm9wZQ", "cursor: not a cursor returned by this list")]
    [InlineData("?cursor=%%%", "cursor: not a cursor returned by this list")]
    public async Task List_with_bad_paging_is_a_400(string query, string detail)
    {
        using var account = await Host.NewAccount();

        using var response = await account.Client.GetAsync("/v1/apps" + query, TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
    }

    [Fact]
    public async Task List_needs_read_apps_and_a_key()
    {
        using var account = await Host.NewAccount();
        using var without = await ClientWithScopes(account, "read:licenses");
        using var anonymous = Host.ClientWithAuthorization(null);

        await SendExpectingError(without, HttpMethod.Get, "/v1/apps", null, 403, "forbidden");
        await SendExpectingError(anonymous, HttpMethod.Get, "/v1/apps", null, 401, "invalid_api_key");
        using var reader = await ClientWithScopes(account, "read:apps");
        await SendOk(reader, HttpMethod.Get, "/v1/apps");
    }

    [Fact]
    public async Task Delete_answers_204_and_the_app_and_its_licenses_stop_validating()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        await ValidatedPayload(app, key, "hwid-1");

        using var response = await account.Client.DeleteAsync($"/v1/apps/{app.AppId}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        AssertFailure(await Validate(app, key, "hwid-1"), "invalid_app", FailureMode.Always200, 401);
        await SendExpectingError(account.Client, HttpMethod.Get, $"/v1/apps/{app.AppId}", null, 404, "not_found");
        await SendExpectingError(account.Client, HttpMethod.Get, $"/v1/apps/{app.AppId}/variables", null, 404, "not_found");
        Assert.DoesNotContain(app.AppId, (await account.Client.GetJson("/v1/apps")).GetRawText());
        Assert.DoesNotContain(app.AppId, await Host.Grains.GetGrain<OrleansLicensing.Accounts.IAccountAppsGrain>(account.AccountId).List(null, 100));
        await SendExpectingError(account.Client, HttpMethod.Delete, $"/v1/apps/{app.AppId}", null, 404, "not_found");
        await SendExpectingError(account.Client, HttpMethod.Post, "/v1/licenses", $$"""{"appId":"{{app.AppId}}"}""", 404, "not_found");
    }

    [Fact]
    public async Task The_licenses_of_a_deleted_app_are_gone_from_the_api_too()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        await SendOk(account.Client, HttpMethod.Get, $"/v1/licenses/{key}");

        using var response = await account.Client.DeleteAsync($"/v1/apps/{app.AppId}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        await SendExpectingError(account.Client, HttpMethod.Get, $"/v1/licenses/{key}", null, 404, "not_found");
        await SendExpectingError(account.Client, HttpMethod.Put, $"/v1/licenses/{key}", """{"action":"update","label":"x"}""", 404, "not_found");
        await SendExpectingError(account.Client, HttpMethod.Put, $"/v1/licenses/{key}/variables", """{"tier":"pro"}""", 404, "not_found");
        await SendExpectingError(account.Client, HttpMethod.Get, $"/v1/licenses/{key}/offline-files", null, 404, "not_found");
        await SendExpectingError(account.Client, HttpMethod.Delete, $"/v1/licenses/{key}", null, 404, "not_found");
        var stored = await Host.Grains.GetGrain<OrleansLicensing.Licenses.ILicenseGrain>(OrleansLicensing.Licenses.ILicenseGrain.KeyFor(key)).Get();
        Assert.Null(stored!.Label); // the refused update changed nothing
    }

    [Theory]
    [InlineData("webhooks/%2e%2e")]
    [InlineData("webhooks/%2E%2E")]
    [InlineData("signing-keys/.%2e")]
    [InlineData("signing-keys/%2e.")]
    [InlineData("webhooks/%2e/..")]
    public async Task A_dot_segment_in_a_child_path_is_a_400_and_never_reaches_the_app(string child)
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;

        // HttpClient would remove literal dot segments itself; send the target as a client could.
        var (status, body) = await RawRequest("DELETE", $"/v1/apps/{app.AppId}/{child}", account.ApiKey);

        Assert.Equal(400, status);
        Assert.Contains("\"error\":\"bad_request\"", body);
        await SendOk(account.Client, HttpMethod.Get, $"/v1/apps/{app.AppId}"); // the app is still there
    }

    /// <summary>One HTTP/1.1 request over a socket, its target sent exactly as given.</summary>
    private async Task<(int Status, string Body)> RawRequest(string method, string target, string apiKey)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(Host.BaseAddress.Host, Host.BaseAddress.Port, TestContext.Current.CancellationToken);
        await using var stream = tcp.GetStream();
        var request = $"{method} {target} HTTP/1.1\r\nHost: {Host.BaseAddress.Authority}\r\nAuthorization: Bearer {apiKey}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        var text = await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
        var status = int.Parse(text.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    [Fact]
    public async Task Delete_needs_admin_apps_and_another_accounts_key_changes_nothing()
    {
        var (owner, app) = await NewDeveloperApp();
        using var _ = owner;
        var key = await NewApiLicense(owner, app);
        using var intruder = await Host.NewAccount("Intruder");
        using var writer = await ClientWithScopes(owner, "write:apps");
        using var anonymous = Host.ClientWithAuthorization(null);

        await SendExpectingError(intruder.Client, HttpMethod.Delete, $"/v1/apps/{app.AppId}", null, 403, "forbidden");
        await SendExpectingError(writer, HttpMethod.Delete, $"/v1/apps/{app.AppId}", null, 403, "forbidden");
        await SendExpectingError(anonymous, HttpMethod.Delete, $"/v1/apps/{app.AppId}", null, 401, "invalid_api_key");
        await SendExpectingError(owner.Client, HttpMethod.Delete, $"/v1/apps/{Guid.NewGuid()}", null, 404, "not_found");
        await SendExpectingError(owner.Client, HttpMethod.Delete, "/v1/apps/not-an-app", null, 404, "not_found");

        await SendOk(owner.Client, HttpMethod.Get, $"/v1/apps/{app.AppId}");
        Assert.Contains(app.AppId, (await owner.Client.GetJson("/v1/apps")).GetRawText());
        await ValidatedPayload(app, key, "hwid-1");
        using var admin = await ClientWithScopes(owner, "admin:apps");
        using var deleted = await admin.DeleteAsync($"/v1/apps/{app.AppId}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }
}
