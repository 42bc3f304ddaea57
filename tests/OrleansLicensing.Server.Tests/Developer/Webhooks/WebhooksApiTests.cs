using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicensing.Events;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Webhooks.given;

namespace OrleansLicensing.Server.Developer.Webhooks;

/// <summary>The routes of docs/developer-api.md §4.4: shapes, validation, scopes and 404s.</summary>
[Collection(WebhookServerCollection.Name)]
public sealed class WebhooksApiTests(WebhookServer server)
{
    private const string Timestamp = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$";

    [Fact]
    public async Task Create_answers_201_with_the_webhook_and_a_secret_shown_only_there()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");

        using var response = await account.Client.PostAsJsonAsync($"/v1/apps/{appId}/webhooks", new { url = "http://127.0.0.1:9/hook", events = new[] { "license.revoked", "credits.low", "license.revoked" } }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Body();
        var webhookId = created.Id("webhookId");
        Assert.Matches("^wh_[0-9a-z]{26}$", webhookId);
        Assert.Matches("^whsec_[0-9A-Za-z]{40}$", created.Id("secret"));
        Assert.Equal($"/v1/apps/{appId}/webhooks/{webhookId}", response.Headers.Location?.OriginalString);
        Assert.Equal((appId, "http://127.0.0.1:9/hook", true), (created.Id("appId"), created.Id("url"), created.GetProperty("enabled").GetBoolean()));
        Assert.Equal(["license.revoked", "credits.low"], created.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Matches(Timestamp, created.Id("createdAt"));

        var listed = await account.Client.GetJson($"/v1/apps/{appId}/webhooks");
        var one = await account.Client.GetJson($"/v1/apps/{appId}/webhooks/{webhookId}");
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("cursor").ValueKind);
        var entry = Assert.Single(listed.GetProperty("webhooks").EnumerateArray());
        foreach (var read in new[] { entry, one })
        {
            Assert.False(read.TryGetProperty("secret", out _));
            Assert.DoesNotContain(created.Id("secret"), read.GetRawText());
            Assert.Equal(created.EnumerateObject().Where(p => p.Name != "secret").Select(p => (p.Name, p.Value.GetRawText())),
                read.EnumerateObject().Select(p => (p.Name, p.Value.GetRawText())));
        }
    }

    [Fact]
    public async Task The_list_pages_with_limit_and_cursor_like_every_list_even_after_a_delete()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var created = new List<string>();
        for (var i = 0; i < 5; i++) created.Add((await account.Client.CreateWebhook(appId, $"http://127.0.0.1:9/{i}")).Id("webhookId"));

        var first = await account.Client.GetJson($"/v1/apps/{appId}/webhooks?limit=2");
        var cursor = first.GetProperty("cursor").GetString()!;
        // The page's last webhook is deleted: the next page still starts after it.
        using (var deleted = await account.Client.DeleteAsync($"/v1/apps/{appId}/webhooks/{created[1]}", TestContext.Current.CancellationToken)) Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var second = await account.Client.GetJson($"/v1/apps/{appId}/webhooks?limit=2&cursor={cursor}");
        var third = await account.Client.GetJson($"/v1/apps/{appId}/webhooks?limit=2&cursor={second.GetProperty("cursor").GetString()}");
        var all = await account.Client.GetJson($"/v1/apps/{appId}/webhooks");

        Assert.Equal(created[..2], first.GetProperty("webhooks").EnumerateArray().Select(w => w.Id("webhookId")));
        Assert.Equal(created[2..4], second.GetProperty("webhooks").EnumerateArray().Select(w => w.Id("webhookId")));
        Assert.Equal([created[4]], third.GetProperty("webhooks").EnumerateArray().Select(w => w.Id("webhookId")));
        Assert.Equal(JsonValueKind.Null, third.GetProperty("cursor").ValueKind);
        Assert.Equal(4, all.GetProperty("webhooks").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("cursor").ValueKind);
    }

    [Theory]
    [InlineData("?limit=0", "limit: must be an integer from 1 to 200")]
    [InlineData("?limit=-1", "limit: must be an integer from 1 to 200")]
    [InlineData("?limit=201", "limit: must be an integer from 1 to 200")]
    [InlineData("?limit=abc", "limit: must be an integer from 1 to 200")]
    [InlineData("?cursor=garbage", "cursor: not a cursor returned by this list")]
    public async Task The_list_with_bad_paging_is_a_400(string query, string detail)
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");

        using var response = await account.Client.GetAsync($"/v1/apps/{appId}/webhooks{query}", TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
    }

    [Fact]
    public async Task Create_may_register_a_disabled_webhook()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");

        using var response = await account.Client.PostAsJsonAsync($"/v1/apps/{appId}/webhooks", new { url = "https://1.1.1.1/hook", events = new[] { "test.ping" }, enabled = false }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.False((await response.Body()).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task An_app_holds_at_most_five_webhooks_and_the_sixth_is_a_400_that_stores_nothing()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        for (var i = 0; i < 5; i++) await account.Client.CreateWebhook(appId, $"http://127.0.0.1:9/{i}");

        using var sixth = await account.Client.PostAsJsonAsync($"/v1/apps/{appId}/webhooks", new { url = "http://127.0.0.1:9/6", events = new[] { "license.created" } }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("webhooks: at most 5 per app", await sixth.AssertError(400, "bad_request"));
        Assert.Equal(5, (await account.Client.GetJson($"/v1/apps/{appId}/webhooks")).GetProperty("webhooks").GetArrayLength());
    }

    [Theory]
    [InlineData("{}", "url: required")]
    [InlineData("{}", "events: required; one or more of license.created, license.validated, license.activated, license.hwid_bound, license.hwid_reset, license.revoked, license.deleted, license.expired, license.offline_file_issued, credits.low, test.ping")]
    [InlineData("{\"url\":\"   \",\"events\":[\"test.ping\"]}", "url: required")]
    [InlineData("{\"url\":\"http://127.0.0.1:9/\",\"events\":[]}", "events: required; one or more of license.created, license.validated, license.activated, license.hwid_bound, license.hwid_reset, license.revoked, license.deleted, license.expired, license.offline_file_issued, credits.low, test.ping")]
    [InlineData("{\"url\":\"http://127.0.0.1:9/\",\"events\":[\"license.revoked\",\"license.exploded\"]}", "events[1]: unknown event 'license.exploded'")]
    [InlineData("{\"url\":\"http://127.0.0.1:9/\",\"events\":[\"License.Revoked\"]}", "events[0]: unknown event 'License.Revoked'")]
    [InlineData("{\"url\":\"http://127.0.0.1:9/\",\"events\":[null]}", "events[0]: must be an event name")]
    [InlineData("{\"url\":\"http://127.0.0.1:9/\",\"events\":\"license.revoked\"}", "events: has the wrong type or an unknown value")]
    [InlineData("{\"url\":\"http://127.0.0.1:9/\",\"events\":[7]}", "events[0]: has the wrong type or an unknown value")]
    [InlineData("{\"url\":\"ftp://example.com/x\",\"events\":[\"test.ping\"]}", "url: must be an https:// or http:// URL")]
    [InlineData("{\"url\":\"/relative\",\"events\":[\"test.ping\"]}", "url: must be an https:// or http:// URL")]
    [InlineData("{\"url\":\"hooks\",\"events\":[\"test.ping\"]}", "url: must be an absolute URL")]
    [InlineData("{\"url\":\"https://user:pw@example.com/\",\"events\":[\"test.ping\"]}", "url: must not contain credentials")]
    [InlineData("{\"url\":\"https://example.com/#x\",\"events\":[\"test.ping\"]}", "url: must not contain a fragment")]
    [InlineData("{\"url\":\"https://exa mple.com/\",\"events\":[\"test.ping\"]}", "url: must not contain spaces or control characters")]
    [InlineData("{\"url\":7,\"events\":[\"test.ping\"]}", "url: has the wrong type or an unknown value")]
    [InlineData("{\"url\":\"http://127.0.0.1:9/\",\"events\":[\"test.ping\"],\"enabled\":\"yes\"}", "enabled: has the wrong type or an unknown value")]
    [InlineData("{\"url\":\"http://127.0.0.1:9/\",\"events\":[\"test.ping\"],\"secret\":\"mine\"}", "secret: unknown field")]
    [InlineData("{\"url\":", "url: malformed JSON")]
    [InlineData("", "body: a JSON body is required")]
    public async Task Create_with_bad_input_is_a_400_with_details_and_stores_nothing(string body, string detail)
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");

        using var response = await account.Client.PostAsync($"/v1/apps/{appId}/webhooks", Json.Raw(body), TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
        Assert.Equal(0, (await account.Client.GetJson($"/v1/apps/{appId}/webhooks")).GetProperty("webhooks").GetArrayLength());
    }

    [Fact]
    public async Task Create_with_a_url_over_2048_characters_is_a_400()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");

        using var response = await account.Client.PostAsJsonAsync($"/v1/apps/{appId}/webhooks", new { url = "https://example.com/" + new string('a', 2048), events = new[] { "test.ping" } }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("url: at most 2048 characters", await response.AssertError(400, "bad_request"));
    }

    [Fact]
    public async Task Update_changes_only_the_fields_it_names()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var created = await account.Client.CreateWebhook(appId, "http://127.0.0.1:9/a", "license.revoked");
        var path = $"/v1/apps/{appId}/webhooks/{created.Id("webhookId")}";

        using var disable = await account.Client.PutAsync(path, Json.Raw("{\"enabled\":false}"), TestContext.Current.CancellationToken);
        using var retarget = await account.Client.PutAsync(path, Json.Raw("{\"url\":\"http://127.0.0.1:9/b\",\"events\":[\"license.created\",\"credits.low\"]}"), TestContext.Current.CancellationToken);
        using var nothing = await account.Client.PutAsync(path, Json.Raw("{}"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        var disabled = await disable.Body();
        Assert.Equal(("http://127.0.0.1:9/a", false), (disabled.Id("url"), disabled.GetProperty("enabled").GetBoolean()));
        var after = await retarget.Body();
        Assert.Equal(("http://127.0.0.1:9/b", false), (after.Id("url"), after.GetProperty("enabled").GetBoolean()));
        Assert.Equal(["license.created", "credits.low"], after.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.False(after.TryGetProperty("secret", out _));
        Assert.Equal(after.GetRawText(), (await nothing.Body()).GetRawText());
        Assert.Equal(after.GetRawText(), (await account.Client.GetJson(path)).GetRawText());
    }

    [Theory]
    [InlineData("{\"url\":\"\"}", "url: must not be empty")]
    [InlineData("{\"url\":\"gopher://x/\"}", "url: must be an https:// or http:// URL")]
    [InlineData("{\"events\":[]}", "events: must not be empty; one or more of license.created, license.validated, license.activated, license.hwid_bound, license.hwid_reset, license.revoked, license.deleted, license.expired, license.offline_file_issued, credits.low, test.ping")]
    [InlineData("{\"events\":[\"nope\"]}", "events[0]: unknown event 'nope'")]
    [InlineData("{\"enabled\":1}", "enabled: has the wrong type or an unknown value")]
    [InlineData("{\"webhookId\":\"wh_x\"}", "webhookId: unknown field")]
    [InlineData("", "body: a JSON body is required")]
    public async Task Update_with_bad_input_is_a_400_and_changes_nothing(string body, string detail)
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var path = $"/v1/apps/{appId}/webhooks/{(await account.Client.CreateWebhook(appId, "http://127.0.0.1:9/a")).Id("webhookId")}";
        var before = (await account.Client.GetJson(path)).GetRawText();

        using var response = await account.Client.PutAsync(path, Json.Raw(body), TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
        Assert.Equal(before, (await account.Client.GetJson(path)).GetRawText());
    }

    [Fact]
    public async Task Delete_answers_204_and_the_webhook_is_gone()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var keep = (await account.Client.CreateWebhook(appId, "http://127.0.0.1:9/keep")).Id("webhookId");
        var drop = (await account.Client.CreateWebhook(appId, "http://127.0.0.1:9/drop")).Id("webhookId");

        using var deleted = await account.Client.DeleteAsync($"/v1/apps/{appId}/webhooks/{drop}", TestContext.Current.CancellationToken);
        using var again = await account.Client.DeleteAsync($"/v1/apps/{appId}/webhooks/{drop}", TestContext.Current.CancellationToken);
        using var read = await account.Client.GetAsync($"/v1/apps/{appId}/webhooks/{drop}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await again.AssertError(404, "not_found");
        await read.AssertError(404, "not_found");
        Assert.Equal([keep], (await account.Client.GetJson($"/v1/apps/{appId}/webhooks")).GetProperty("webhooks").EnumerateArray().Select(w => w.Id("webhookId")));
    }

    [Fact]
    public async Task Every_route_needs_an_api_key()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var webhookId = (await account.Client.CreateWebhook(appId, "http://127.0.0.1:9/a")).Id("webhookId");
        using var anonymous = server.Host.ClientWithAuthorization(null);
        using var garbage = server.Host.ClientWithAuthorization("Bearer af_live_nope");

        foreach (var client in new[] { anonymous, garbage })
        {
            foreach (var (method, path) in Routes(appId, webhookId, "dlv_00000000000000000000000000"))
            {
                using var response = await client.Send(method, path, "{\"url\":\"http://127.0.0.1:9/x\",\"events\":[\"test.ping\"]}");
                await response.AssertError(401, "invalid_api_key");
            }
        }
        Assert.Single((await account.Client.GetJson($"/v1/apps/{appId}/webhooks")).GetProperty("webhooks").EnumerateArray());
    }

    [Fact]
    public async Task Reads_need_read_webhooks_and_writes_need_write_webhooks()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var webhookId = (await account.Client.CreateWebhook(appId, "http://127.0.0.1:9/a")).Id("webhookId");
        using var reader = server.Host.ClientWithKey(await server.Host.RegisterKey(account.AccountId, ["read:webhooks"]));
        using var appsOnly = server.Host.ClientWithKey(await server.Host.RegisterKey(account.AccountId, ["admin:apps", "write:licenses"]));
        using var writer = server.Host.ClientWithKey(await server.Host.RegisterKey(account.AccountId, ["write:webhooks"]));

        Assert.Single((await reader.GetJson($"/v1/apps/{appId}/webhooks")).GetProperty("webhooks").EnumerateArray());
        Assert.Empty((await reader.GetJson($"/v1/apps/{appId}/webhooks/{webhookId}/deliveries")).GetProperty("deliveries").EnumerateArray());
        foreach (var (method, path) in Routes(appId, webhookId, "dlv_00000000000000000000000000"))
        {
            using var none = await appsOnly.Send(method, path, "{}");
            await none.AssertError(403, "forbidden");
            if (method == HttpMethod.Get) continue;
            using var readOnly = await reader.Send(method, path, "{\"enabled\":false}");
            await readOnly.AssertError(403, "forbidden");
        }
        // write:webhooks implies read:webhooks; nothing changed on the way.
        var webhook = await writer.GetJson($"/v1/apps/{appId}/webhooks/{webhookId}");
        Assert.True(webhook.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Unknown_or_malformed_apps_webhooks_and_deliveries_are_404()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var webhookId = (await account.Client.CreateWebhook(appId, "http://127.0.0.1:9/a")).Id("webhookId");
        var otherAppId = (await account.Client.CreateApp()).Id("appId");

        foreach (var (app, webhook, onlyWebhookRoutes) in new[]
        {
            (Guid.NewGuid().ToString(), webhookId, false),            // unknown app
            ("not-an-app", webhookId, false),                         // malformed app id
            (appId, "wh_00000000000000000000000000", true),           // unknown webhook
            (appId, "WH_nope", true),                                 // malformed webhook id
            (otherAppId, webhookId, true),                            // a webhook of another app of the account
        })
        {
            foreach (var (method, path) in Routes(app, webhook, "dlv_00000000000000000000000000").Where(r => !onlyWebhookRoutes || r.Path.Contains(webhook)))
            {
                using var response = await account.Client.Send(method, path, "{\"url\":\"http://127.0.0.1:9/x\",\"events\":[\"test.ping\"]}");
                await response.AssertError(404, "not_found");
            }
        }
        foreach (var delivery in new[] { "dlv_00000000000000000000000000", "dlv_bad", "1" })
        {
            using var retry = await account.Client.PostAsync($"/v1/apps/{appId}/webhooks/{webhookId}/deliveries/{delivery}/retry", null, TestContext.Current.CancellationToken);
            await retry.AssertError(404, "not_found");
        }
        Assert.Equal(0, (await account.Client.GetJson($"/v1/apps/{otherAppId}/webhooks")).GetProperty("webhooks").GetArrayLength());
    }

    [Theory]
    [InlineData("?limit=0", "limit: must be an integer from 1 to 200")]
    [InlineData("?limit=201", "limit: must be an integer from 1 to 200")]
    [InlineData("?limit=ten", "limit: must be an integer from 1 to 200")]
    [InlineData("?cursor=not-a-cursor", "cursor: not a cursor returned by this list")]
    [InlineData("?cursor=ZGx2OmFiYw", "cursor: not a cursor returned by this list")] // "dlv:abc"
    public async Task Delivery_list_with_bad_paging_is_a_400(string query, string detail)
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var webhookId = (await account.Client.CreateWebhook(appId, "http://127.0.0.1:9/a")).Id("webhookId");

        using var response = await account.Client.GetAsync($"/v1/apps/{appId}/webhooks/{webhookId}/deliveries{query}", TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
    }

    [Fact]
    public async Task Delivery_list_pages_newest_first_with_a_cursor()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var webhookId = (await account.Client.CreateWebhook(appId, receiver.Url(), WebhookEvents.LicenseCreated)).Id("webhookId");
        var events = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // One at a time, so that the deliveries are created in this order.
            events.Add(await server.Host.RaiseEvent(account.AccountId, appId, WebhookEvents.LicenseCreated));
            await receiver.WaitFor(r => r.Id == events[^1]);
        }

        var first = await account.Client.GetJson($"/v1/apps/{appId}/webhooks/{webhookId}/deliveries?limit=2");
        var second = await account.Client.GetJson($"/v1/apps/{appId}/webhooks/{webhookId}/deliveries?limit=2&cursor={first.Id("cursor")}");

        Assert.Equal([events[2], events[1]], first.GetProperty("deliveries").EnumerateArray().Select(d => d.Id("eventId")));
        Assert.Equal([events[0]], second.GetProperty("deliveries").EnumerateArray().Select(d => d.Id("eventId")));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("cursor").ValueKind);
    }

    /// <summary>Every webhook route (method, path) for one app, webhook and delivery.</summary>
    public static IEnumerable<(HttpMethod Method, string Path)> Routes(string appId, string webhookId, string deliveryId) =>
    [
        (HttpMethod.Post, $"/v1/apps/{appId}/webhooks"),
        (HttpMethod.Get, $"/v1/apps/{appId}/webhooks"),
        (HttpMethod.Get, $"/v1/apps/{appId}/webhooks/{webhookId}"),
        (HttpMethod.Put, $"/v1/apps/{appId}/webhooks/{webhookId}"),
        (HttpMethod.Delete, $"/v1/apps/{appId}/webhooks/{webhookId}"),
        (HttpMethod.Post, $"/v1/apps/{appId}/webhooks/{webhookId}/test"),
        (HttpMethod.Get, $"/v1/apps/{appId}/webhooks/{webhookId}/deliveries"),
        (HttpMethod.Post, $"/v1/apps/{appId}/webhooks/{webhookId}/deliveries/{deliveryId}/retry"),
    ];
}
