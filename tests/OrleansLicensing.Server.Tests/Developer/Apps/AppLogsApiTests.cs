using System.Net;
using System.Text.Json;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Server.AuthLogs;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLicensing.Server.Developer.Apps;

[Collection(DeveloperRoutesCollection.Name)]
public sealed class AppLogsApiTests(DeveloperRoutesServer server) : DeveloperRoutesSpec(server.Host)
{
    private const string Timestamp = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$";

    /// <summary>Every entry of the log, following cursors.</summary>
    internal static async Task<List<JsonElement>> ReadLogs(HttpClient client, string appId, int limit = 200, string filter = "")
    {
        var entries = new List<JsonElement>();
        string? cursor = null;
        for (var page = 0; page < 100; page++)
        {
            var body = await client.GetJson($"/v1/apps/{appId}/logs?limit={limit}{filter}" + (cursor is null ? "" : $"&cursor={cursor}"));
            var items = body.GetProperty("logs").EnumerateArray().Select(e => e.Clone()).ToList();
            Assert.InRange(items.Count, 1, limit); // no empty last page: the cursor is null exactly on the last one
            entries.AddRange(items);
            cursor = body.GetProperty("cursor").GetString();
            if (cursor is null) return entries;
        }
        throw new InvalidOperationException("the cursor never ended");
    }

    /// <summary>Waits until the app's log holds <paramref name="count"/> entries (they are stored in batches).</summary>
    internal static async Task<List<JsonElement>> LogsWhenStored(HttpClient client, string appId, int count)
    {
        List<JsonElement> entries = [];
        await Eventually.True(async () =>
        {
            var body = await client.GetJson($"/v1/apps/{appId}/logs?limit=200");
            entries = [.. body.GetProperty("logs").EnumerateArray().Select(e => e.Clone())];
            return entries.Count >= count;
        }, Patience, () => Task.FromResult($"{entries.Count} of {count} entries: {string.Join(", ", entries.Select(e => e.GetRawText()))}"));
        return entries;
    }

    /// <summary>
    /// An SDK may send any string as HWID or license key (auth-protocol.md §8.1), U+0000 included, which
    /// PostgreSQL cannot store in text or jsonb: the validate binds and answers, the listing finds the
    /// license by that HWID, the license keeps it exactly, and the auth log stores the outcomes with
    /// U+FFFD in its place. A label with it is a 400.
    /// </summary>
    internal static async Task ClientStringsWithNulAreServedListedAndLogged(HttpClient client, string appId, string key, Func<string, string, Task<AuthReply>> validate)
    {
        Assert.Contains("\"status\":\"success\"", (await validate(key, "ab\0cd")).Body);
        Assert.Contains("\"error\":\"invalid_key\"", (await validate("AB\0CD", "plain")).Body);

        var listed = (await client.GetJson($"/v1/licenses?appId={appId}&hwid=ab%00cd")).GetProperty("licenses");
        Assert.Equal(key, Assert.Single(listed.EnumerateArray()).Id("licenseKey"));
        Assert.Equal("ab\0cd", Assert.Single((await client.GetJson($"/v1/licenses/{key}")).GetProperty("hwidList").EnumerateArray()).Id("hwid"));
        var logs = await LogsWhenStored(client, appId, 2);
        Assert.Equal(["plain|AB\uFFFDCD", "ab\uFFFDcd|" + key], logs.Select(e => e.Id("hwid") + "|" + e.Id("licenseKey")));
        Assert.Single(await ReadLogs(client, appId, filter: "&licenseKey=AB%00CD"));

        using var labelled = await client.PostAsync("/v1/licenses", Json.Raw($$"""{"appId":"{{appId}}","label":"a\u0000b"}"""), TestContext.Current.CancellationToken);
        Assert.Contains("label: must not contain control characters (line breaks, tabs, U+0000)", await labelled.AssertError(400, "bad_request"));
    }

    [Fact]
    public async Task Client_strings_with_U0000_are_served_listed_and_logged()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);

        await ClientStringsWithNulAreServedListedAndLogged(account.Client, app.AppId, key, (licenseKey, hwid) => Validate(app, licenseKey, hwid));
    }

    private static string Fields(JsonElement entry) =>
        string.Join("|", new[] { "endpoint", "result", "licenseKey", "hwid", "ip" }.Select(f => entry.TryGetProperty(f, out var v) ? v.GetString() : "-"));

    [Fact]
    public async Task Validate_heartbeat_and_selfban_outcomes_appear_with_their_fields_newest_first()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);

        var session = await Login(app, key, "hwid-1");                                                   // validate: success
        AssertFailure(await Validate(app, "ABCD-EFGH-JKLM-NPQR", "hwid-2"), "invalid_key", OrleansLicensing.Apps.FailureMode.Always200, 401);
        Assert.Equal(HttpStatusCode.OK, (await Heartbeat(app, session.Token, "hwid-1")).Status);       // heartbeat: success
        var ban = await Post("/auth/selfban", new { appId = app.AppId, appSecret = app.AppSecret, licenseKey = key.ToLowerInvariant(), hwid = "cracked-box", nonce = NewNonce(), blacklistIp = false });
        Assert.Contains("\"status\":\"success\"", ban.Body);
        AssertFailure(await Validate(app, key, "hwid-1", secret: "wrong-secret"), "invalid_app", OrleansLicensing.Apps.FailureMode.Always200, 401);

        var entries = await LogsWhenStored(account.Client, app.AppId, 5);

        Assert.Equal(
            [
                $"validate|invalid_app|{key}|hwid-1|{Ip}",
                $"selfban|success|{key}|cracked-box|{Ip}",
                $"heartbeat|success|{key}|hwid-1|{Ip}",
                $"validate|invalid_key|ABCD-EFGH-JKLM-NPQR|hwid-2|{Ip}",
                $"validate|success|{key}|hwid-1|{Ip}",
            ],
            entries.Select(Fields).ToArray());
        Assert.All(entries, e => Assert.Matches(Timestamp, e.Id("at")));
        Assert.Equal(["at", "endpoint", "result", "licenseKey", "hwid", "ip"], entries[0].EnumerateObject().Select(p => p.Name).ToArray());
    }

    [Fact]
    public async Task An_unreadable_body_of_a_known_app_is_logged_without_key_or_hwid()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;

        var reply = await PostRaw("/auth/validate", $$"""{"appId":"{{app.AppId}}","hwid":7}""");
        Assert.Contains("bad_request", reply.Body);

        var entry = Assert.Single(await LogsWhenStored(account.Client, app.AppId, 1));
        Assert.Equal($"validate|bad_request|-|-|{Ip}", Fields(entry));
    }

    [Fact]
    public async Task Pages_and_filters_return_each_matching_entry_once()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        for (var i = 0; i < 7; i++) AssertFailure(await Validate(app, key, $"hwid-{i}", secret: "wrong"), "invalid_app", OrleansLicensing.Apps.FailureMode.Always200, 401);
        await ValidatedPayload(app, key, "hwid-ok");
        await LogsWhenStored(account.Client, app.AppId, 8);

        var paged = await ReadLogs(account.Client, app.AppId, limit: 3);

        Assert.Equal(8, paged.Count);
        Assert.Equal(["hwid-ok", "hwid-6", "hwid-5", "hwid-4", "hwid-3", "hwid-2", "hwid-1", "hwid-0"], paged.Select(e => e.Id("hwid")).ToArray());
        Assert.Equal(7, (await ReadLogs(account.Client, app.AppId, limit: 2, filter: "&result=invalid_app")).Count);
        Assert.Equal("hwid-ok", Assert.Single(await ReadLogs(account.Client, app.AppId, filter: "&result=success")).Id("hwid"));
        Assert.Equal(8, (await ReadLogs(account.Client, app.AppId, filter: $"&licenseKey={key.ToLowerInvariant()}")).Count);
        var none = await account.Client.GetJson($"/v1/apps/{app.AppId}/logs?result=expired");
        Assert.Equal("""{"logs":[],"cursor":null}""", none.GetRawText());
    }

    [Fact]
    public async Task The_ip_filter_returns_the_outcomes_from_that_address_only()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        await ValidatedPayload(app, key, "hwid-a", ip: "198.51.100.20");
        await ValidatedPayload(app, key, "hwid-a", ip: "198.51.100.21");
        await ValidatedPayload(app, key, "hwid-a", ip: "198.51.100.20");
        await LogsWhenStored(account.Client, app.AppId, 3);

        Assert.Equal(2, (await ReadLogs(account.Client, app.AppId, filter: "&ip=198.51.100.20")).Count);
        Assert.Equal("198.51.100.21", Assert.Single(await ReadLogs(account.Client, app.AppId, filter: "&ip=::ffff:198.51.100.21")).Id("ip"));
        var none = await account.Client.GetJson($"/v1/apps/{app.AppId}/logs?ip=198.51.100.99");
        Assert.Equal("""{"logs":[],"cursor":null}""", none.GetRawText());
    }

    [Theory]
    [InlineData("?limit=0", "limit: must be an integer from 1 to 200")]
    [InlineData("?cursor=bm9wZQ", "cursor: not a cursor returned by this list")]
    [InlineData("?result=server_error", "result: must be success or an auth error code (e.g. invalid_key)")]
    [InlineData("?result=SUCCESS", "result: must be success or an auth error code (e.g. invalid_key)")]
    [InlineData("?licenseKey=KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK", "licenseKey: must be 1-64 characters")]
    [InlineData("?ip=not-an-address", "ip: not an IP address")]
    public async Task Bad_query_parameters_are_a_400(string query, string detail)
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;

        using var response = await account.Client.GetAsync($"/v1/apps/{app.AppId}/logs{query}", TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
    }

    [Fact]
    public async Task Logs_are_visible_only_to_the_owner_with_read_logs()
    {
        var (owner, app) = await NewDeveloperApp();
        using var _ = owner;
        var key = await NewApiLicense(owner, app);
        await ValidatedPayload(app, key, "owner-box");
        await LogsWhenStored(owner.Client, app.AppId, 1);
        using var intruder = await Host.NewAccount("Intruder");
        using var appsOnly = await ClientWithScopes(owner, "admin:apps", "read:licenses", "read:account");
        using var logsOnly = await ClientWithScopes(owner, "read:logs");
        using var anonymous = Host.ClientWithAuthorization(null);

        var (status, text) = await Send(intruder.Client, HttpMethod.Get, $"/v1/apps/{app.AppId}/logs");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.DoesNotContain("owner-box", text);
        await SendExpectingError(appsOnly, HttpMethod.Get, $"/v1/apps/{app.AppId}/logs", null, 403, "forbidden");
        await SendExpectingError(anonymous, HttpMethod.Get, $"/v1/apps/{app.AppId}/logs", null, 401, "invalid_api_key");
        await SendExpectingError(owner.Client, HttpMethod.Get, $"/v1/apps/{Guid.NewGuid()}/logs", null, 404, "not_found");
        await SendExpectingError(owner.Client, HttpMethod.Get, "/v1/apps/nope/logs", null, 404, "not_found");
        Assert.Equal("owner-box", Assert.Single(await ReadLogs(logsOnly, app.AppId)).Id("hwid"));
    }

    [Fact]
    public async Task Many_outcomes_are_stored_in_few_batches()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var log = Host.Services.GetRequiredService<AuthLog>();
        var batchesBefore = log.Batches;

        // 200 bad bodies answered concurrently (a bad body is answered before any rate limit).
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => PostRaw("/auth/validate", $$"""{"appId":"{{app.AppId}}"}""")));
        Assert.Equal(200, (await LogsWhenStored(account.Client, app.AppId, 200)).Count);

        // Other tests may write in parallel; 200 entries alone would be 200 writes without batching.
        Assert.InRange(log.Batches - batchesBefore, 1, 40);
        Assert.Equal(0, log.Dropped);
    }
}
