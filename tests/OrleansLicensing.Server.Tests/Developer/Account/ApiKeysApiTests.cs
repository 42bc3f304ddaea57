using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Developer.Account;

/// <summary><c>/v1/api-keys</c> on the embedded server: create, list, get, revoke; scopes; isolation.</summary>
[Collection(SqliteServerCollection.Name)]
public sealed class ApiKeysApiTests(SqliteServer server)
{
    private const string Timestamp = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$";

    private LicensingTestHost Host => server.Host;

    private static async Task<JsonElement> CreateKey(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/v1/api-keys", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Body();
    }

    private static async Task<string[]> ListedIds(HttpClient client) =>
        [.. (await client.GetJson("/v1/api-keys?limit=200")).GetProperty("apiKeys").EnumerateArray().Select(k => k.Id("apiKeyId"))];

    [Fact]
    public async Task Create_answers_201_with_the_key_once_and_the_key_authenticates_with_its_scopes()
    {
        using var account = await Host.NewAccount();
        var expiresAt = DateTimeOffset.UtcNow.AddDays(30);

        using var response = await account.Client.PostAsJsonAsync("/v1/api-keys", new { name = "  CI  ", scopes = new[] { "read:licenses", "read:account", "read:licenses" }, expiresAt }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Body();
        Assert.Equal(["apiKeyId", "name", "prefix", "scopes", "expiresAt", "createdAt", "apiKey"], created.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Matches("^key_[0-9a-z]{26}$", created.Id("apiKeyId"));
        Assert.Equal($"/v1/api-keys/{created.Id("apiKeyId")}", response.Headers.Location?.ToString());
        Assert.Equal("CI", created.Id("name"));
        Assert.Equal(["read:licenses", "read:account"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).ToArray());
        Assert.Equal(expiresAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), created.Id("expiresAt"));
        Assert.Matches(Timestamp, created.Id("createdAt"));
        var apiKey = created.Id("apiKey");
        Assert.Matches("^af_live_[0-9A-Za-z]{40}$", apiKey);
        Assert.Equal(apiKey[..12], created.Id("prefix"));

        using var newKey = Host.ClientWithKey(apiKey);
        Assert.Equal(account.AccountId, (await newKey.GetJson("/v1/account")).Id("accountId"));
        using var write = await newKey.PostAsJsonAsync("/v1/apps", new { name = "App" }, cancellationToken: TestContext.Current.CancellationToken);
        await write.AssertError(403, "forbidden");

        // Shown once: neither the list nor the single key carries it.
        var listed = await account.Client.GetJson("/v1/api-keys");
        var single = await account.Client.GetJson($"/v1/api-keys/{created.Id("apiKeyId")}");
        Assert.DoesNotContain(apiKey, listed.GetRawText());
        Assert.DoesNotContain(apiKey[12..], single.GetRawText());
        Assert.Equal(["apiKeyId", "name", "prefix", "scopes", "expiresAt", "createdAt"], single.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(created.Id("createdAt"), single.Id("createdAt"));
    }

    [Fact]
    public async Task List_pages_the_keys_in_creation_order_with_a_cursor_that_ends_in_null()
    {
        using var account = await Host.NewAccount();
        var ids = new List<string>((await account.Client.GetJson("/v1/api-keys")).GetProperty("apiKeys").EnumerateArray().Select(k => k.Id("apiKeyId")));
        Assert.Single(ids); // the account's first key, "default"
        for (var i = 0; i < 4; i++) ids.Add((await CreateKey(account.Client, new { name = $"key {i}", scopes = new[] { "*" } })).Id("apiKeyId"));

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await account.Client.GetJson($"/v1/api-keys?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page.GetProperty("apiKeys").EnumerateArray().Select(k => k.Id("apiKeyId")));
            cursor = page.GetProperty("cursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(ids, seen);
        using var badCursor = await account.Client.GetAsync("/v1/api-keys?cursor=bm9wZQ", TestContext.Current.CancellationToken);
        Assert.Contains("cursor: not a cursor returned by this list", await badCursor.AssertError(400, "bad_request"));
        using var badLimit = await account.Client.GetAsync("/v1/api-keys?limit=0", TestContext.Current.CancellationToken);
        await badLimit.AssertError(400, "bad_request");
    }

    public static TheoryData<string, string> InvalidCreates => new()
    {
        { "{\"scopes\":[\"*\"]}", "name: required" },
        { "{\"name\":\"   \",\"scopes\":[\"*\"]}", "name: required" },
        { $"{{\"name\":\"{new string('n', 201)}\",\"scopes\":[\"*\"]}}", "name: at most 200 characters" },
        { "{\"name\":\"k\"}", "scopes: at least one scope is required" },
        { "{\"name\":\"k\",\"scopes\":[]}", "scopes: at least one scope is required" },
        { "{\"name\":\"k\",\"scopes\":[\"read:everything\"]}", "scopes[0]: unknown scope 'read:everything'" },
        { "{\"name\":\"k\",\"scopes\":[\"read:apps\",\"READ:APPS\"]}", "scopes[1]: unknown scope 'READ:APPS'" },
        { "{\"name\":\"k\",\"scopes\":[\"*\",null]}", "scopes[1]: unknown scope ''" },
        { "{\"name\":\"k\",\"scopes\":\"*\"}", "scopes: has the wrong type or an unknown value" },
        { "{\"name\":\"k\",\"scopes\":[\"*\"],\"expiresAt\":\"2020-01-01T00:00:00Z\"}", "expiresAt: must lie in the future" },
        { "{\"name\":\"k\",\"scopes\":[\"*\"],\"expiresAt\":\"tomorrow\"}", "expiresAt: has the wrong type or an unknown value" },
        { "{\"name\":\"k\",\"scopes\":[\"*\"],\"secret\":\"x\"}", "secret: unknown field" },
        { "{\"name\":", "name: malformed JSON" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreates))]
    public async Task Invalid_creates_are_400_and_add_no_key(string body, string detail)
    {
        using var account = await Host.NewAccount();

        using var response = await account.Client.PostAsync("/v1/api-keys", Json.Raw(body), TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
        Assert.Single(await ListedIds(account.Client));
    }

    [Fact]
    public async Task Only_an_all_scopes_key_creates_or_revokes_keys_and_read_account_lists_them()
    {
        using var account = await Host.NewAccount();
        var victim = (await CreateKey(account.Client, new { name = "victim", scopes = new[] { "*" } })).Id("apiKeyId");
        // Every scope but *: none of them grants key management.
        string[] allButStar = ["read:licenses", "write:licenses", "read:apps", "write:apps", "admin:apps", "read:webhooks", "write:webhooks", "read:logs", "read:account"];
        using var broad = Host.ClientWithKey((await CreateKey(account.Client, new { name = "broad", scopes = allButStar })).Id("apiKey"));
        using var licensesOnly = Host.ClientWithKey((await CreateKey(account.Client, new { name = "narrow", scopes = new[] { "write:licenses" } })).Id("apiKey"));

        using var create = await broad.PostAsJsonAsync("/v1/api-keys", new { name = "minted", scopes = new[] { "read:apps" } }, cancellationToken: TestContext.Current.CancellationToken);
        using var revoke = await broad.DeleteAsync($"/v1/api-keys/{victim}", TestContext.Current.CancellationToken);
        using var listWithoutScope = await licensesOnly.GetAsync("/v1/api-keys", TestContext.Current.CancellationToken);
        using var getWithoutScope = await licensesOnly.GetAsync($"/v1/api-keys/{victim}", TestContext.Current.CancellationToken);

        await create.AssertError(403, "forbidden");
        await revoke.AssertError(403, "forbidden");
        await listWithoutScope.AssertError(403, "forbidden");
        await getWithoutScope.AssertError(403, "forbidden");
        Assert.Equal(4, (await broad.GetJson("/v1/api-keys")).GetProperty("apiKeys").GetArrayLength());
        Assert.Contains(victim, await ListedIds(account.Client));
    }

    [Fact]
    public async Task A_revoked_key_is_401_at_once_and_leaves_the_list_and_a_second_revoke_is_404()
    {
        using var account = await Host.NewAccount();
        var created = await CreateKey(account.Client, new { name = "to revoke", scopes = new[] { "*" } });
        using var doomed = Host.ClientWithKey(created.Id("apiKey"));
        Assert.Equal(HttpStatusCode.OK, (await doomed.GetAsync("/v1/account", TestContext.Current.CancellationToken)).StatusCode);

        using var revoke = await account.Client.DeleteAsync($"/v1/api-keys/{created.Id("apiKeyId")}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var after = await doomed.GetAsync("/v1/account", TestContext.Current.CancellationToken);
        Assert.Contains("revoked", (await after.Content.ReadFromJsonAsync<JsonElement>(cancellationToken: TestContext.Current.CancellationToken)).Id("message"));
        using var again = await doomed.GetAsync("/v1/account", TestContext.Current.CancellationToken);
        await again.AssertError(401, "invalid_api_key");
        Assert.DoesNotContain(created.Id("apiKeyId"), await ListedIds(account.Client));
        using var second = await account.Client.DeleteAsync($"/v1/api-keys/{created.Id("apiKeyId")}", TestContext.Current.CancellationToken);
        await second.AssertError(404, "not_found");
        using var single = await account.Client.GetAsync($"/v1/api-keys/{created.Id("apiKeyId")}", TestContext.Current.CancellationToken);
        await single.AssertError(404, "not_found");
        Assert.Equal(HttpStatusCode.OK, (await account.Client.GetAsync("/v1/account", TestContext.Current.CancellationToken)).StatusCode); // the other key is untouched
    }

    [Fact]
    public async Task A_key_may_revoke_itself()
    {
        using var account = await Host.NewAccount();
        var self = (await account.Client.GetJson("/v1/api-keys")).GetProperty("apiKeys")[0].Id("apiKeyId");

        using var revoke = await account.Client.DeleteAsync($"/v1/api-keys/{self}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var after = await account.Client.GetAsync("/v1/account", TestContext.Current.CancellationToken);
        await after.AssertError(401, "invalid_api_key");
    }

    [Fact]
    public async Task A_key_past_its_expiry_is_401()
    {
        using var account = await Host.NewAccount();
        var created = await CreateKey(account.Client, new { name = "short-lived", scopes = new[] { "read:account" }, expiresAt = DateTimeOffset.UtcNow.AddSeconds(2) });
        using var shortLived = Host.ClientWithKey(created.Id("apiKey"));

        HttpStatusCode last = default;
        await Eventually.True(async () =>
        {
            using var response = await shortLived.GetAsync("/v1/account");
            last = response.StatusCode;
            if (last == HttpStatusCode.Unauthorized) await response.AssertError(401, "invalid_api_key");
            else Assert.Equal(HttpStatusCode.OK, last);
            return last == HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(15));

        // Still listed (so it can be seen and deleted), with its expiry.
        Assert.Contains(created.Id("apiKeyId"), await ListedIds(account.Client));
    }

    [Fact]
    public async Task Another_account_cannot_see_or_revoke_a_key_and_learns_nothing()
    {
        using var owner = await Host.NewAccount("Owner");
        using var other = await Host.NewAccount("Other");
        var key = await CreateKey(owner.Client, new { name = "owned", scopes = new[] { "*" } });
        var keyId = key.Id("apiKeyId");
        var unknownId = ResourceId.New("key", DateTimeOffset.UtcNow);

        using var get = await other.Client.GetAsync($"/v1/api-keys/{keyId}", TestContext.Current.CancellationToken);
        using var revoke = await other.Client.DeleteAsync($"/v1/api-keys/{keyId}", TestContext.Current.CancellationToken);
        using var getUnknown = await other.Client.GetAsync($"/v1/api-keys/{unknownId}", TestContext.Current.CancellationToken);

        // The same answer as for an id that does not exist, apart from the id itself.
        await get.AssertError(404, "not_found");
        await revoke.AssertError(404, "not_found");
        await getUnknown.AssertError(404, "not_found");
        Assert.Equal(
            (await getUnknown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Replace(unknownId, "ID"),
            (await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Replace(keyId, "ID"));
        Assert.DoesNotContain(keyId, await ListedIds(other.Client));
        using var stillWorks = Host.ClientWithKey(key.Id("apiKey"));
        Assert.Equal(owner.AccountId, (await stillWorks.GetJson("/v1/account")).Id("accountId"));
    }

    [Theory]
    [InlineData("key_nope")]
    [InlineData("12345")]
    [InlineData("acc_01m8cmxk95t3f1hjntqre3q016")]
    public async Task Malformed_key_ids_are_404(string id)
    {
        using var account = await Host.NewAccount();

        using var get = await account.Client.GetAsync($"/v1/api-keys/{id}", TestContext.Current.CancellationToken);
        using var revoke = await account.Client.DeleteAsync($"/v1/api-keys/{id}", TestContext.Current.CancellationToken);

        await get.AssertError(404, "not_found");
        await revoke.AssertError(404, "not_found");
    }

    [Fact]
    public async Task Every_route_is_401_without_a_valid_key()
    {
        using var anonymous = Host.ClientWithAuthorization(null);
        var id = ResourceId.New("key", DateTimeOffset.UtcNow);

        using var create = await anonymous.PostAsJsonAsync("/v1/api-keys", new { name = "k", scopes = new[] { "*" } }, cancellationToken: TestContext.Current.CancellationToken);
        using var list = await anonymous.GetAsync("/v1/api-keys", TestContext.Current.CancellationToken);
        using var get = await anonymous.GetAsync($"/v1/api-keys/{id}", TestContext.Current.CancellationToken);
        using var revoke = await anonymous.DeleteAsync($"/v1/api-keys/{id}", TestContext.Current.CancellationToken);

        foreach (var response in new[] { create, list, get, revoke }) await response.AssertError(401, "invalid_api_key");
    }

    [Fact]
    public async Task An_account_holds_at_most_100_keys()
    {
        using var account = await Host.NewAccount();
        for (var i = 1; i < 100; i++) await CreateKey(account.Client, new { name = $"k{i}", scopes = new[] { "read:account" } });

        using var refused = await account.Client.PostAsJsonAsync("/v1/api-keys", new { name = "one too many", scopes = new[] { "read:account" } }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("apiKeys: an account holds at most 100 keys; revoke one first", await refused.AssertError(400, "bad_request"));
        Assert.Equal(100, (await ListedIds(account.Client)).Length);
    }
}
