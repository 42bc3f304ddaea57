using System.Net;
using System.Text.Json;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;

namespace OrleansLicensing.Server.Developer.Apps;

[Collection(DeveloperRoutesCollection.Name)]
public sealed class AppSettingsApiTests(DeveloperRoutesServer server) : DeveloperRoutesSpec(server.Host)
{
    private const string NoLists = """{"hwidBlacklist":[],"hwidWhitelist":[],"ipBlacklist":[],"ipWhitelist":[]}""";

    /// <summary>Every route of the controller, with a valid body where one is needed.</summary>
    public static TheoryData<string, string, string?> Routes => new()
    {
        { "GET", "/v1/apps/{0}/variables", null },
        { "PUT", "/v1/apps/{0}/variables", """{"tier":"intruder"}""" },
        { "GET", "/v1/apps/{0}/security", null },
        { "PUT", "/v1/apps/{0}/security", """{"ipBlacklist":["0.0.0.0/0"]}""" },
        { "POST", "/v1/apps/{0}/security/blacklist", """{"type":"ip","value":"0.0.0.0/0"}""" },
        { "DELETE", "/v1/apps/{0}/security/blacklist", """{"type":"hwid","value":"owner-hwid"}""" },
        { "POST", "/v1/apps/{0}/security/whitelist", """{"type":"hwid","value":"intruder"}""" },
        { "DELETE", "/v1/apps/{0}/security/whitelist", """{"type":"ip","value":"192.0.2.0/24"}""" },
    };

    [Fact]
    public async Task Variables_put_replaces_them_get_reads_them_and_the_next_validate_carries_them()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);

        var put = await SendOk(account.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/variables", """{"tier":"pro","seats":3,"beta":true,"ratio":2.50}""");

        const string Expected = """{"beta":true,"ratio":2.50,"seats":3,"tier":"pro"}""";
        Assert.Equal(Expected, put.GetRawText());
        Assert.Equal(Expected, (await account.Client.GetJson($"/v1/apps/{app.AppId}/variables")).GetRawText());
        Assert.Equal(Expected, (await account.Client.GetJson($"/v1/apps/{app.AppId}")).GetProperty("variables").GetRawText());
        Assert.Equal(Expected, (await ValidatedPayload(app, key, "hwid-1")).GetProperty("appVariables").GetRawText());

        Assert.Equal("{}", (await SendOk(account.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/variables", "{}")).GetRawText());
        Assert.Equal("{}", (await ValidatedPayload(app, key, "hwid-1")).GetProperty("appVariables").GetRawText());
    }

    public static TheoryData<string, string> BadVariables => new()
    {
        { "[1]", "body: must be a JSON object" },
        { "null", "body: must be a JSON object" },
        { "\"a=b\"", "body: must be a JSON object" },
        { """{"nested":{"a":1}}""", "body.nested: must be a string, number or boolean (variables are flat)" },
        { """{"gone":null}""", "body.gone: must be a string, number or boolean (variables are flat)" },
        { "{\"" + new string('k', 65) + "\":1}", "body: key names must be 1-64 characters" },
        { """{"a":1,"a":2}""", "body.a: duplicate key" },
        { "{" + string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"k{i}\":{i}")) + "}", "body: at most 50 keys" },
        { "{\"blob\":\"" + new string('x', 4090) + "\"}", "body: at most 4096 bytes serialized" },
        { "{\"tier\":", "body: malformed JSON" },
        { "", "body: a JSON body is required" },
    };

    [Theory]
    [MemberData(nameof(BadVariables))]
    public async Task Variables_put_with_bad_input_is_a_400_and_changes_nothing(string body, string detail)
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        await SendOk(account.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/variables", """{"keep":"me"}""");

        var details = await SendExpectingError(account.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/variables", body, 400, "bad_request");

        Assert.Contains(detail, details);
        Assert.Equal("""{"keep":"me"}""", (await account.Client.GetJson($"/v1/apps/{app.AppId}/variables")).GetRawText());
    }

    [Fact]
    public async Task Security_put_replaces_only_the_named_lists_in_canonical_form()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        Assert.Equal(NoLists, (await account.Client.GetJson($"/v1/apps/{app.AppId}/security")).GetRawText());

        var first = await SendOk(account.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/security",
            """{"ipBlacklist":["10.1.2.3/8","2001:DB8:0:0:0:0:0:1","::ffff:192.0.2.9","10.0.0.0/8"],"hwidWhitelist":["  abc  ","def"]}""");

        Assert.Equal("""{"hwidBlacklist":[],"hwidWhitelist":["abc","def"],"ipBlacklist":["10.0.0.0/8","2001:db8::1","192.0.2.9"],"ipWhitelist":[]}""", first.GetRawText());

        var second = await SendOk(account.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/security", """{"hwidBlacklist":["bad-box"],"hwidWhitelist":[]}""");

        Assert.Equal("""{"hwidBlacklist":["bad-box"],"hwidWhitelist":[],"ipBlacklist":["10.0.0.0/8","2001:db8::1","192.0.2.9"],"ipWhitelist":[]}""", second.GetRawText());
        Assert.Equal(second.GetRawText(), (await account.Client.GetJson($"/v1/apps/{app.AppId}/security")).GetRawText());
        Assert.Equal(second.GetRawText(), (await SendOk(account.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/security", "{}")).GetRawText());
    }

    public static TheoryData<string, string> BadSecurityBodies => new()
    {
        { """{"ipBlacklist":["1.2.3.4","not-an-ip"]}""", "ipBlacklist[1]: must be an IP address or CIDR range" },
        { """{"ipBlacklist":["010.0.0.1"]}""", "ipBlacklist[0]: must be an IP address or CIDR range" },
        { """{"ipWhitelist":["10.0.0.0/33"]}""", "ipWhitelist[0]: must be an IP address or CIDR range" },
        { """{"ipWhitelist":[" 10.0.0.1"]}""", "ipWhitelist[0]: must be an IP address or CIDR range" },
        { """{"hwidBlacklist":["ok","   "]}""", "hwidBlacklist[1]: must not be empty" },
        { "{\"hwidWhitelist\":[\"" + new string('h', 257) + "\"]}", "hwidWhitelist[0]: too long (max 256 characters)" },
        { """{"hwidBlacklist":[7]}""", "hwidBlacklist[0]: must be a string" },
        { """{"hwidBlacklist":null}""", "hwidBlacklist: must be an array of strings ([] empties the list)" },
        { """{"ipBlacklist":"1.2.3.4"}""", "ipBlacklist: must be an array of strings ([] empties the list)" },
        { "{\"ipBlacklist\":[" + string.Join(",", Enumerable.Range(0, 1001).Select(i => $"\"10.0.{i / 256}.{i % 256}\"")) + "]}", "ipBlacklist: too many entries (max 1000)" },
        { """{"macBlacklist":[]}""", "macBlacklist: unknown field" },
        { "", "body: a JSON body is required" },
    };

    [Theory]
    [MemberData(nameof(BadSecurityBodies))]
    public async Task Security_put_with_bad_entries_is_a_400_naming_them_and_changes_nothing(string body, string detail)
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var before = await SendOk(account.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/security", """{"ipBlacklist":["192.0.2.1"],"hwidBlacklist":["x"]}""");

        var details = await SendExpectingError(account.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/security", body, 400, "bad_request");

        Assert.Contains(detail, details);
        Assert.Equal(before.GetRawText(), (await account.Client.GetJson($"/v1/apps/{app.AppId}/security")).GetRawText());
    }

    [Fact]
    public async Task A_cidr_range_on_the_ip_blacklist_blocks_validates_from_inside_it_only()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        await ValidatedPayload(app, key, "hwid-1", ip: "203.0.113.200");

        var lists = await SendOk(account.Client, HttpMethod.Post, $"/v1/apps/{app.AppId}/security/blacklist", """{"type":"ip","value":"203.0.113.77/24"}""");

        Assert.Equal(["203.0.113.0/24"], lists.GetProperty("ipBlacklist").EnumerateArray().Select(e => e.GetString()!).ToArray());
        AssertFailure(await Validate(app, key, "hwid-1", ip: "203.0.113.200"), "blocked", FailureMode.Always200, 403);
        AssertFailure(await Validate(app, key, "hwid-1", ip: "203.0.113.1"), "blocked", FailureMode.Always200, 403);
        await ValidatedPayload(app, key, "hwid-1", ip: "203.0.114.1");

        await SendOk(account.Client, HttpMethod.Delete, $"/v1/apps/{app.AppId}/security/blacklist", """{"type":"ip","value":"203.0.113.0/24"}""");
        await ValidatedPayload(app, key, "hwid-1", ip: "203.0.113.200");

        // The same through PUT: a /25 blocks the lower half only.
        await SendOk(account.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/security", """{"ipBlacklist":["203.0.113.5/25"]}""");
        AssertFailure(await Validate(app, key, "hwid-1", ip: "203.0.113.100"), "blocked", FailureMode.Always200, 403);
        await ValidatedPayload(app, key, "hwid-1", ip: "203.0.113.128");
    }

    [Fact]
    public async Task A_hwid_whitelist_entry_admits_only_that_hwid()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = (await account.Client.CreateLicense(app.AppId)).Id("licenseKey");

        await SendOk(account.Client, HttpMethod.Post, $"/v1/apps/{app.AppId}/security/whitelist", """{"type":"hwid","value":"  allowed  "}""");

        AssertFailure(await Validate(app, key, "other"), "blocked", FailureMode.Always200, 403);
        await ValidatedPayload(app, key, "allowed");
    }

    [Fact]
    public async Task Adding_an_entry_twice_keeps_one_and_removing_a_missing_entry_is_a_404()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var path = $"/v1/apps/{app.AppId}/security/blacklist";

        await SendOk(account.Client, HttpMethod.Post, path, """{"type":"hwid","value":"box-1"}""");
        var twice = await SendOk(account.Client, HttpMethod.Post, path, """{"type":"hwid","value":" box-1 "}""");
        await SendOk(account.Client, HttpMethod.Post, $"/v1/apps/{app.AppId}/security/whitelist", """{"type":"ip","value":"::ffff:198.51.100.7"}""");

        Assert.Equal(["box-1"], twice.GetProperty("hwidBlacklist").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var removed = await SendOk(account.Client, HttpMethod.Delete, path, """{"type":"hwid","value":"box-1"}""");
        Assert.Equal("""{"hwidBlacklist":[],"hwidWhitelist":[],"ipBlacklist":[],"ipWhitelist":["198.51.100.7"]}""", removed.GetRawText());

        await SendExpectingError(account.Client, HttpMethod.Delete, path, """{"type":"hwid","value":"box-1"}""", 404, "not_found");
        // The whitelist entry is removed by its canonical form too.
        await SendOk(account.Client, HttpMethod.Delete, $"/v1/apps/{app.AppId}/security/whitelist", """{"type":"ip","value":"198.51.100.7"}""");
        Assert.Equal(NoLists, (await account.Client.GetJson($"/v1/apps/{app.AppId}/security")).GetRawText());
    }

    [Fact]
    public async Task Concurrent_single_entry_adds_all_land()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            SendOk(account.Client, HttpMethod.Post, $"/v1/apps/{app.AppId}/security/blacklist", $$"""{"type":"hwid","value":"box-{{i}}"}""")));

        var listed = (await account.Client.GetJson($"/v1/apps/{app.AppId}/security")).GetProperty("hwidBlacklist").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"box-{i}").ToHashSet(), listed);
    }

    [Fact]
    public async Task Adding_to_a_full_list_is_a_400_and_changes_nothing()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var full = "[" + string.Join(",", Enumerable.Range(0, SecurityLists.MaxEntries).Select(i => $"\"h{i}\"")) + "]";
        await SendOk(account.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/security", $$"""{"hwidBlacklist":{{full}}}""");

        var details = await SendExpectingError(account.Client, HttpMethod.Post, $"/v1/apps/{app.AppId}/security/blacklist", """{"type":"hwid","value":"one-more"}""", 400, "bad_request");

        Assert.Contains("value: the hwidBlacklist list is full (max 1000 entries)", details);
        var listed = (await account.Client.GetJson($"/v1/apps/{app.AppId}/security")).GetProperty("hwidBlacklist");
        Assert.Equal(SecurityLists.MaxEntries, listed.GetArrayLength());
        // A duplicate of a full list is still a no-op, not an error.
        await SendOk(account.Client, HttpMethod.Post, $"/v1/apps/{app.AppId}/security/blacklist", """{"type":"hwid","value":"h5"}""");
    }

    public static TheoryData<string, string> BadEntries => new()
    {
        { """{"type":"mac","value":"x"}""", "type: has the wrong type or an unknown value" },
        { """{"value":"x"}""", "type: required (hwid or ip)" },
        { """{"type":"hwid"}""", "value: required" },
        { """{"type":"ip","value":"1.2.3"}""", "value: must be an IP address or CIDR range" },
        { """{"type":"ip","value":"1.2.3.4/40"}""", "value: must be an IP address or CIDR range" },
        { """{"type":"hwid","value":"  "}""", "value: must not be empty" },
        { "{\"type\":\"hwid\",\"value\":\"" + new string('h', 257) + "\"}", "value: too long (max 256 characters)" },
        { """{"type":"hwid","value":"x","extra":1}""", "extra: unknown field" },
        { "", "body: a JSON body is required" },
    };

    [Theory]
    [MemberData(nameof(BadEntries))]
    public async Task Entry_routes_with_bad_input_are_a_400_and_change_nothing(string body, string detail)
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var before = await SendOk(account.Client, HttpMethod.Post, $"/v1/apps/{app.AppId}/security/blacklist", """{"type":"ip","value":"192.0.2.1"}""");

        foreach (var (method, list) in new[] { (HttpMethod.Post, "blacklist"), (HttpMethod.Delete, "blacklist"), (HttpMethod.Post, "whitelist"), (HttpMethod.Delete, "whitelist") })
        {
            Assert.Contains(detail, await SendExpectingError(account.Client, method, $"/v1/apps/{app.AppId}/security/{list}", body, 400, "bad_request"));
        }
        Assert.Equal(before.GetRawText(), (await account.Client.GetJson($"/v1/apps/{app.AppId}/security")).GetRawText());
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Another_accounts_key_is_forbidden_and_changes_nothing(string method, string template, string? body)
    {
        var (owner, app) = await NewDeveloperApp();
        using var _ = owner;
        using var intruder = await Host.NewAccount("Intruder");
        await SendOk(owner.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/variables", """{"tier":"owner"}""");
        await SendOk(owner.Client, HttpMethod.Put, $"/v1/apps/{app.AppId}/security", """{"hwidBlacklist":["owner-hwid"],"ipWhitelist":["192.0.2.0/24"]}""");
        var before = (await owner.Client.GetJson($"/v1/apps/{app.AppId}")).GetRawText();

        var (status, text) = await Send(intruder.Client, new HttpMethod(method), string.Format(template, app.AppId), body);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.DoesNotContain("owner", text);
        Assert.Equal(before, (await owner.Client.GetJson($"/v1/apps/{app.AppId}")).GetRawText());
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Unknown_apps_are_a_404_and_missing_keys_a_401(string method, string template, string? body)
    {
        using var account = await Host.NewAccount();

        await SendExpectingError(account.Client, new HttpMethod(method), string.Format(template, Guid.NewGuid()), body, 404, "not_found");
        await SendExpectingError(account.Client, new HttpMethod(method), string.Format(template, "not-an-app"), body, 404, "not_found");
        using var anonymous = Host.ClientWithAuthorization(null);
        await SendExpectingError(anonymous, new HttpMethod(method), string.Format(template, Guid.NewGuid()), body, 401, "invalid_api_key");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Reads_need_read_apps_and_changes_need_write_apps(string method, string template, string? body)
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var before = (await account.Client.GetJson($"/v1/apps/{app.AppId}")).GetRawText();
        var needed = method == "GET" ? "read:apps" : "write:apps";
        using var without = await ClientWithScopes(account, "read:licenses", "write:licenses", "read:logs", method == "GET" ? "read:account" : "read:apps");
        using var with = await ClientWithScopes(account, needed);

        var details = await SendExpectingError(without, new HttpMethod(method), string.Format(template, app.AppId), body, 403, "forbidden");
        Assert.Equal(before, (await account.Client.GetJson($"/v1/apps/{app.AppId}")).GetRawText());

        var (status, text) = await Send(with, new HttpMethod(method), string.Format(template, app.AppId), body);
        // DELETE of an entry that is not listed is a 404: the scope was accepted.
        Assert.True(status is HttpStatusCode.OK || (method == "DELETE" && status == HttpStatusCode.NotFound), $"{(int)status}: {text}");
        Assert.Empty(details);
    }
}
