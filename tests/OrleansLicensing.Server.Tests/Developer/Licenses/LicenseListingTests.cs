using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Developer.Licenses;

/// <summary><c>GET /v1/licenses</c>: the listing index, its filters and its keyset cursor.</summary>
[Collection(SqliteServerCollection.Name)]
public sealed class LicenseListingTests(SqliteServer server)
{
    private async Task<(DeveloperAccount Account, string AppId)> AccountWithApp()
    {
        var account = await server.Host.NewAccount("Vendor", credits: 1_000);
        return (account, (await account.Client.CreateApp()).Id("appId"));
    }

    private static async Task<string[]> Create(DeveloperAccount account, object body)
    {
        using var response = await account.Client.PostAsJsonAsync("/v1/licenses", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return [.. (await response.Body()).GetProperty("licenses").EnumerateArray().Select(l => l.Id("licenseKey"))];
    }

    /// <summary>Follows the cursor to the end; returns every page's keys.</summary>
    private static async Task<List<string[]>> Pages(HttpClient client, string query)
    {
        var pages = new List<string[]>();
        string? cursor = null;
        do
        {
            var page = await client.GetJson($"/v1/licenses?{query}" + (cursor is null ? "" : $"&cursor={cursor}"));
            pages.Add([.. page.GetProperty("licenses").EnumerateArray().Select(l => l.Id("licenseKey"))]);
            cursor = page.GetProperty("cursor").ValueKind == JsonValueKind.Null ? null : page.Id("cursor");
        }
        while (cursor is not null);
        return pages;
    }

    private static async Task<string[]> All(HttpClient client, string query) => [.. (await Pages(client, query)).SelectMany(p => p)];

    [Fact]
    public async Task Lists_an_apps_licenses_newest_first_in_pages_that_cover_each_once()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var created = new List<string>();
        for (var i = 0; i < 7; i++) created.AddRange(await Create(account, new { appId }));

        var pages = await Pages(account.Client, $"appId={appId}&limit=3");

        Assert.Equal([3, 3, 1], pages.Select(p => p.Length).ToArray());
        Assert.Equal(Enumerable.Reverse(created).ToArray(), pages.SelectMany(p => p).ToArray());
    }

    [Fact]
    public async Task A_listed_license_is_the_license_as_get_shows_it_and_follows_its_changes()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var key = (await Create(account, new { appId, label = "order 1", maxHwidSlots = 3, variables = new { tier = "pro", seats = 5 } })).Single();

        var listed = (await account.Client.GetJson($"/v1/licenses?appId={appId}")).GetProperty("licenses")[0];
        Assert.Equal((await account.Client.GetJson($"/v1/licenses/{key}")).GetRawText(), listed.GetRawText());

        using (await account.Client.PutAsync($"/v1/licenses/{key}", Json.Raw("""{"action":"revoke"}"""), TestContext.Current.CancellationToken)) { }
        Assert.Equal("revoked", (await account.Client.GetJson($"/v1/licenses?appId={appId}")).GetProperty("licenses")[0].Id("status"));

        await server.Host.Grains.GetGrain<OrleansLicensing.Licenses.ILicenseGrain>(OrleansLicensing.Licenses.ILicenseGrain.KeyFor(key)).Delete();
        Assert.Empty(await All(account.Client, $"appId={appId}"));
    }

    [Fact]
    public async Task Filters_by_status_hwid_and_label_prefix()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var active = (await Create(account, new { appId, label = "shop-eu-1" })).Single();
        var revoked = (await Create(account, new { appId, label = "shop-us-1" })).Single();
        var expired = (await Create(account, new { appId, label = "shop-eu-2", expiresAt = "2020-01-01T00:00:00Z" })).Single();
        var lifetimeLater = (await Create(account, new { appId, label = "other", expiresAt = "2090-01-01T00:00:00Z" })).Single();
        using (await account.Client.PutAsync($"/v1/licenses/{revoked}", Json.Raw("""{"action":"revoke"}"""), TestContext.Current.CancellationToken)) { }
        var grains = server.Host.Grains;
        await grains.GetGrain<OrleansLicensing.Licenses.ILicenseGrain>(OrleansLicensing.Licenses.ILicenseGrain.KeyFor(active))
            .Validate(new OrleansLicensing.Licenses.LicenseValidation(appId, "machine-a", "203.0.113.9", null));

        Assert.Equal([lifetimeLater, active], await All(account.Client, $"appId={appId}&status=active"));
        Assert.Equal([revoked], await All(account.Client, $"appId={appId}&status=revoked"));
        Assert.Equal([expired], await All(account.Client, $"appId={appId}&status=expired"));
        Assert.Equal([active], await All(account.Client, $"appId={appId}&hwid=machine-a"));
        Assert.Empty(await All(account.Client, $"appId={appId}&hwid=machine-b"));
        Assert.Equal([expired, active], await All(account.Client, $"appId={appId}&label=shop-eu"));
        Assert.Equal([expired, revoked, active], await All(account.Client, $"appId={appId}&label=shop-"));
        Assert.Equal([expired], await All(account.Client, $"appId={appId}&label=shop-eu&status=expired"));
        Assert.Equal([active], await All(account.Client, $"appId={appId}&label=shop-eu-1&hwid=machine-a&status=active"));
    }

    [Fact]
    public async Task Paging_while_licenses_are_created_loses_and_repeats_nothing()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var existing = new List<string>();
        for (var i = 0; i < 6; i++) existing.AddRange(await Create(account, new { appId, quantity = 10 }));

        var createdMeanwhile = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var key in await Create(account, new { appId, quantity = 5 })) createdMeanwhile.Add(key);
            }
        }, TestContext.Current.CancellationToken);
        var listed = new List<string>();
        string? cursor = null;
        do
        {
            var page = await account.Client.GetJson($"/v1/licenses?appId={appId}&limit=7" + (cursor is null ? "" : $"&cursor={cursor}"));
            listed.AddRange(page.GetProperty("licenses").EnumerateArray().Select(l => l.Id("licenseKey")));
            cursor = page.GetProperty("cursor").ValueKind == JsonValueKind.Null ? null : page.Id("cursor");
            // Let inserts land between pages.
            await Eventually.True(() => Task.FromResult(createdMeanwhile.Count > listed.Count / 7), TimeSpan.FromSeconds(10));
        }
        while (cursor is not null);
        await stop.CancelAsync();
        await writer;

        Assert.NotEmpty(createdMeanwhile);
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Empty(existing.Except(listed));
        Assert.Empty(listed.Except(existing).Except(createdMeanwhile));
    }

    [Fact]
    public async Task Bad_queries_are_400_with_details_and_list_nothing()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;

        foreach (var (query, detail) in new[]
                 {
                     ("", "appId: required"),
                     ($"appId={appId}&status=deleted", "status: must be active, revoked or expired"),
                     ($"appId={appId}&limit=0", "limit: must be an integer from 1 to 200"),
                     ($"appId={appId}&limit=201", "limit: must be an integer from 1 to 200"),
                     ($"appId={appId}&limit=ten", "limit: must be an integer from 1 to 200"),
                     ($"appId={appId}&cursor=bm90LW91cnM", "cursor: not a cursor returned by this list"),
                     ($"appId={appId}&label={new string('x', 129)}", "label: at most 128 characters"),
                 })
        {
            using var response = await account.Client.GetAsync($"/v1/licenses?{query}", TestContext.Current.CancellationToken);
            Assert.Contains(detail, await response.AssertError(400, "bad_request"));
        }
    }

    [Fact]
    public async Task Only_the_owning_account_with_read_licenses_can_list_an_app()
    {
        var (owner, appId) = await AccountWithApp();
        using var _ = owner;
        await Create(owner, new { appId, quantity = 3 });
        using var stranger = await server.Host.NewAccount("Stranger");

        using (var response = await stranger.Client.GetAsync($"/v1/licenses?appId={appId}", TestContext.Current.CancellationToken))
        {
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            await response.AssertError(403, "forbidden");
            Assert.DoesNotContain("licenseKey", text);
        }
        using (var response = await owner.Client.GetAsync($"/v1/licenses?appId={Guid.NewGuid()}", TestContext.Current.CancellationToken))
        {
            await response.AssertError(404, "not_found");
        }
        using (var anonymous = server.Host.ClientWithAuthorization(null))
        using (var response = await anonymous.GetAsync($"/v1/licenses?appId={appId}", TestContext.Current.CancellationToken))
        {
            await response.AssertError(401, "invalid_api_key");
        }
        var appsOnly = await server.Host.RegisterKey(owner.AccountId, ["read:apps"]);
        using (var limited = server.Host.ClientWithKey(appsOnly))
        using (var response = await limited.GetAsync($"/v1/licenses?appId={appId}", TestContext.Current.CancellationToken))
        {
            await response.AssertError(403, "forbidden");
        }
        Assert.Equal(3, (await All(owner.Client, $"appId={appId}")).Length);
    }
}
