using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;

namespace OrleansLicensing.Server.Developer.Licenses;

[Collection(SqliteServerCollection.Name)]
public sealed class LicensesApiTests(SqliteServer server)
{
    private const string Timestamp = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$";

    private async Task<(DeveloperAccount Account, string AppId)> AccountWithApp(string name = "Vendor")
    {
        var account = await server.Host.NewAccount(name);
        return (account, (await account.Client.CreateApp()).Id("appId"));
    }

    private static async Task<JsonElement> Change(HttpClient client, string licenseKey, string body)
    {
        using var response = await client.PutAsync($"/v1/licenses/{licenseKey}", Json.Raw(body));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Body();
    }

    [Fact]
    public async Task Create_answers_201_with_a_license_in_the_documented_shape_and_defaults()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;

        using var response = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var license = Assert.Single((await response.Body()).GetProperty("licenses").EnumerateArray());
        Assert.Equal(
            ["licenseKey", "appId", "status", "expired", "expiresAt", "maxHwidSlots", "unlimitedHwidSlots", "hwidList", "hwidCount", "label", "variables", "createdAt", "lastValidatedAt"],
            license.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Matches(DeveloperAccounts.LicenseKeyPattern, license.Id("licenseKey"));
        Assert.Equal((appId, "active", false, 1, false, 0, 0), (license.Id("appId"), license.Id("status"), license.GetProperty("expired").GetBoolean(),
            license.GetProperty("maxHwidSlots").GetInt32(), license.GetProperty("unlimitedHwidSlots").GetBoolean(), license.GetProperty("hwidList").GetArrayLength(), license.GetProperty("hwidCount").GetInt32()));
        Assert.Equal(JsonValueKind.Null, license.GetProperty("expiresAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, license.GetProperty("label").ValueKind);
        Assert.Equal(JsonValueKind.Null, license.GetProperty("lastValidatedAt").ValueKind);
        Assert.Equal("{}", license.GetProperty("variables").GetRawText());
        Assert.Matches(Timestamp, license.Id("createdAt"));
        Assert.Equal(license.GetRawText(), (await account.Client.GetJson($"/v1/licenses/{license.Id("licenseKey")}")).GetRawText());
    }

    [Fact]
    public async Task Create_with_a_quantity_makes_that_many_distinct_well_formed_keys_with_the_given_attributes()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var expiresAt = DateTimeOffset.UtcNow.AddDays(30);

        using var response = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId, quantity = 100, expiresAt = expiresAt.ToString("O"), maxHwidSlots = 16, unlimitedHwidSlots = true, label = "batch 7" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var licenses = (await response.Body()).GetProperty("licenses").EnumerateArray().ToArray();
        Assert.Equal(100, licenses.Length);
        Assert.Equal(100, licenses.Select(l => l.Id("licenseKey")).Distinct().Count());
        Assert.All(licenses, l =>
        {
            Assert.Matches(DeveloperAccounts.LicenseKeyPattern, l.Id("licenseKey"));
            Assert.Equal(expiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), l.Id("expiresAt"));
            Assert.Equal((16, true, "batch 7", false), (l.GetProperty("maxHwidSlots").GetInt32(), l.GetProperty("unlimitedHwidSlots").GetBoolean(), l.Id("label"), l.GetProperty("expired").GetBoolean()));
        });
    }

    [Fact]
    public async Task Variables_keep_their_json_type_and_number_text_integers_as_plain_digits()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;

        using var response = await account.Client.PostAsync("/v1/licenses", Json.Raw($"{{\"appId\":\"{appId}\",\"variables\":{{\"tier\":\"pro\",\"seats\":3,\"ratio\":2.50,\"big\":1e3,\"beta\":true,\"off\":false,\"empty\":\"\"}}}}"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var key = (await response.Body()).GetProperty("licenses")[0].Id("licenseKey");
        var variables = (await account.Client.GetJson($"/v1/licenses/{key}")).GetProperty("variables");
        Assert.Equal("""{"beta":true,"big":1000,"empty":"","off":false,"ratio":2.50,"seats":3,"tier":"pro"}""", variables.GetRawText());
    }

    public static TheoryData<string, string> BadCreateBodies => new()
    {
        { "{}", "appId: required" },
        { "{\"appId\":\"\"}", "appId: required" },
        { "{\"appId\":\"APP\",\"quantity\":0}", "quantity: must be an integer from 1 to 100" },
        { "{\"appId\":\"APP\",\"quantity\":101}", "quantity: must be an integer from 1 to 100" },
        { "{\"appId\":\"APP\",\"quantity\":1.5}", "quantity: has the wrong type or an unknown value" },
        { "{\"appId\":\"APP\",\"maxHwidSlots\":0}", "maxHwidSlots: must be an integer from 1 to 16" },
        { "{\"appId\":\"APP\",\"maxHwidSlots\":17}", "maxHwidSlots: must be an integer from 1 to 16" },
        { "{\"appId\":\"APP\",\"unlimitedHwidSlots\":\"yes\"}", "unlimitedHwidSlots: has the wrong type or an unknown value" },
        { "{\"appId\":\"APP\",\"expiresAt\":\"next week\"}", "expiresAt: has the wrong type or an unknown value" },
        { "{\"appId\":\"APP\",\"expiresAt\":1700000000}", "expiresAt: has the wrong type or an unknown value" },
        { "{\"appId\":\"APP\",\"label\":\"" + new string('l', 129) + "\"}", "label: at most 128 characters" },
        { "{\"appId\":\"APP\",\"variables\":[1]}", "variables: must be a JSON object" },
        { "{\"appId\":\"APP\",\"variables\":\"a=b\"}", "variables: must be a JSON object" },
        { "{\"appId\":\"APP\",\"variables\":{\"nested\":{\"a\":1}}}", "variables.nested: must be a string, number or boolean (variables are flat)" },
        { "{\"appId\":\"APP\",\"variables\":{\"list\":[1,2]}}", "variables.list: must be a string, number or boolean (variables are flat)" },
        { "{\"appId\":\"APP\",\"variables\":{\"gone\":null}}", "variables.gone: must be a string, number or boolean (variables are flat)" },
        { "{\"appId\":\"APP\",\"variables\":{\"\":1}}", "variables: key names must be 1-64 characters" },
        { "{\"appId\":\"APP\",\"variables\":{\"" + new string('k', 65) + "\":1}}", "variables: key names must be 1-64 characters" },
        { "{\"appId\":\"APP\",\"variables\":{\"a\":1,\"a\":2}}", "variables.a: duplicate key" },
        { "{\"appId\":\"APP\",\"variables\":{" + string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"k{i}\":{i}")) + "}}", "variables: at most 50 keys" },
        { "{\"appId\":\"APP\",\"variables\":{\"blob\":\"" + new string('x', 4090) + "\"}}", "variables: at most 4096 bytes serialized" },
        { "{\"appId\":\"APP\",\"variables\":{\"\\ud800\":1}}", "variables: keys and values must be valid UTF-16 (no unpaired surrogates)" },
        { "{\"appId\":\"APP\",\"variables\":{\"a\":\"\\udc00\"}}", "variables: keys and values must be valid UTF-16 (no unpaired surrogates)" },
        { "{\"appId\":\"APP\",\"label\":\"\\ud800\"}", "label: has the wrong type or an unknown value" },
        { "{\"appId\":\"APP\",\"hwid\":\"abc\"}", "hwid: unknown field" },
        { "{\"appId\":", "appId: malformed JSON" },
        { "", "body: a JSON body is required" },
    };

    [Theory]
    [MemberData(nameof(BadCreateBodies))]
    public async Task Create_with_bad_input_is_a_400_with_details(string body, string detail)
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;

        using var response = await account.Client.PostAsync("/v1/licenses", Json.Raw(body.Replace("APP", appId)), TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
    }

    [Fact]
    public async Task Variables_at_the_limits_are_accepted()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var fifty = string.Join(",", Enumerable.Range(0, 50).Select(i => $"\"{i:D2}{new string('k', 62)}\":{i}"));
        // {"blob":"…"} is 11 bytes around the value: 4085 characters make exactly 4096 bytes.
        var fullSize = $"{{\"blob\":\"{new string('x', 4085)}\"}}";

        using var manyKeys = await account.Client.PostAsync("/v1/licenses", Json.Raw($"{{\"appId\":\"{appId}\",\"variables\":{{{fifty}}}}}"), TestContext.Current.CancellationToken);
        using var largest = await account.Client.PostAsync("/v1/licenses", Json.Raw($"{{\"appId\":\"{appId}\",\"variables\":{fullSize}}}"), TestContext.Current.CancellationToken);

        Assert.True(manyKeys.StatusCode == HttpStatusCode.Created, await manyKeys.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(largest.StatusCode == HttpStatusCode.Created, await largest.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Create_for_an_unknown_app_is_404()
    {
        using var account = await server.Host.NewAccount();

        using var unknown = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId = Guid.NewGuid().ToString() }, cancellationToken: TestContext.Current.CancellationToken);
        using var malformed = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId = "not-an-app" }, cancellationToken: TestContext.Current.CancellationToken);

        await unknown.AssertError(404, "not_found");
        await malformed.AssertError(404, "not_found");
    }

    [Fact]
    public async Task Create_for_another_accounts_app_is_403()
    {
        var (owner, appId) = await AccountWithApp("Owner");
        using var _ = owner;
        using var intruder = await server.Host.NewAccount("Intruder");

        using var response = await intruder.Client.PostAsJsonAsync("/v1/licenses", new { appId, quantity = 5 }, cancellationToken: TestContext.Current.CancellationToken);

        await response.AssertError(403, "forbidden");
    }

    [Fact]
    public async Task Get_canonicalizes_the_key_from_the_url()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var key = (await account.Client.CreateLicense(appId)).Id("licenseKey");

        var lower = await account.Client.GetJson($"/v1/licenses/{key.ToLowerInvariant()}");
        var padded = await account.Client.GetJson($"/v1/licenses/%20{key}%20");

        Assert.Equal(key, lower.Id("licenseKey"));
        Assert.Equal(key, padded.Id("licenseKey"));
    }

    [Theory]
    [InlineData("ABCD-EFGH-JKLM-NPQR")]
    [InlineData("not-a-key")]
    [InlineData("ABCD-EFGH-JKLM-NPQ0")]
    [InlineData("ABCDEFGHJKLMNPQR")]
    public async Task Unknown_or_malformed_license_keys_are_404(string key)
    {
        using var account = await server.Host.NewAccount();

        using var get = await account.Client.GetAsync($"/v1/licenses/{key}", TestContext.Current.CancellationToken);
        using var put = await account.Client.PutAsync($"/v1/licenses/{key}", Json.Raw("{\"action\":\"revoke\"}"), TestContext.Current.CancellationToken);

        await get.AssertError(404, "not_found");
        await put.AssertError(404, "not_found");
    }

    [Fact]
    public async Task Revoke_and_activate_switch_the_status()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var key = (await account.Client.CreateLicense(appId)).Id("licenseKey");

        var revoked = await Change(account.Client, key, "{\"action\":\"revoke\"}");
        var readRevoked = await account.Client.GetJson($"/v1/licenses/{key}");
        var activated = await Change(account.Client, key.ToLowerInvariant(), "{\"action\":\"activate\"}");

        Assert.Equal("revoked", revoked.Id("status"));
        Assert.Equal("revoked", readRevoked.Id("status"));
        Assert.Equal("active", activated.Id("status"));
    }

    [Fact]
    public async Task Extend_sets_a_new_expiry_a_past_one_expires_and_null_makes_it_lifetime()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var key = (await account.Client.CreateLicense(appId)).Id("licenseKey");

        var extended = await Change(account.Client, key, "{\"action\":\"extend\",\"expiresAt\":\"2099-01-02T03:04:05.678Z\"}");
        var past = await Change(account.Client, key, "{\"action\":\"extend\",\"expiresAt\":\"2020-01-01T00:00:00Z\"}");
        var lifetime = await Change(account.Client, key, "{\"action\":\"extend\",\"expiresAt\":null}");

        Assert.Equal(("2099-01-02T03:04:05Z", false), (extended.Id("expiresAt"), extended.GetProperty("expired").GetBoolean()));
        Assert.Equal(("2020-01-01T00:00:00Z", true), (past.Id("expiresAt"), past.GetProperty("expired").GetBoolean()));
        Assert.Equal((JsonValueKind.Null, false), (lifetime.GetProperty("expiresAt").ValueKind, lifetime.GetProperty("expired").GetBoolean()));
    }

    [Fact]
    public async Task Update_changes_only_the_named_attributes_and_null_removes_label_or_variables()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var key = (await account.Client.CreateLicense(appId)).Id("licenseKey");

        var updated = await Change(account.Client, key, "{\"action\":\"update\",\"maxHwidSlots\":4,\"unlimitedHwidSlots\":true,\"label\":\"reseller\",\"variables\":{\"seats\":10}}");
        var onlyLabel = await Change(account.Client, key, "{\"action\":\"update\",\"label\":null}");
        var expiryAndNoVariables = await Change(account.Client, key, "{\"action\":\"update\",\"expiresAt\":\"2099-06-01T00:00:00Z\",\"variables\":null}");

        Assert.Equal((4, true, "reseller", "{\"seats\":10}"), (updated.GetProperty("maxHwidSlots").GetInt32(), updated.GetProperty("unlimitedHwidSlots").GetBoolean(), updated.Id("label"), updated.GetProperty("variables").GetRawText()));
        Assert.Equal(JsonValueKind.Null, onlyLabel.GetProperty("label").ValueKind);
        Assert.Equal((4, true, "{\"seats\":10}"), (onlyLabel.GetProperty("maxHwidSlots").GetInt32(), onlyLabel.GetProperty("unlimitedHwidSlots").GetBoolean(), onlyLabel.GetProperty("variables").GetRawText()));
        Assert.Equal(("2099-06-01T00:00:00Z", "{}", 4), (expiryAndNoVariables.Id("expiresAt"), expiryAndNoVariables.GetProperty("variables").GetRawText(), expiryAndNoVariables.GetProperty("maxHwidSlots").GetInt32()));
        Assert.Equal(expiryAndNoVariables.GetRawText(), (await account.Client.GetJson($"/v1/licenses/{key}")).GetRawText());
    }

    [Fact]
    public async Task Reset_hwid_answers_the_license_with_an_empty_hwid_list()
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var key = (await account.Client.CreateLicense(appId)).Id("licenseKey");

        var reset = await Change(account.Client, key, "{\"action\":\"reset-hwid\"}");

        Assert.Equal((0, 0, "active"), (reset.GetProperty("hwidList").GetArrayLength(), reset.GetProperty("hwidCount").GetInt32(), reset.Id("status")));
    }

    [Theory]
    [InlineData("{}", "action: required (revoke, activate, extend, reset-hwid or update)")]
    [InlineData("{\"action\":\"delete\"}", "action: has the wrong type or an unknown value")]
    [InlineData("{\"action\":\"reset_hwid\"}", "action: has the wrong type or an unknown value")]
    [InlineData("{\"action\":\"extend\"}", "expiresAt: required for extend (null = lifetime)")]
    [InlineData("{\"action\":\"extend\",\"expiresAt\":\"soon\"}", "expiresAt: has the wrong type or an unknown value")]
    [InlineData("{\"action\":\"revoke\",\"label\":\"x\"}", "label: not used by action revoke")]
    [InlineData("{\"action\":\"extend\",\"expiresAt\":null,\"maxHwidSlots\":2}", "maxHwidSlots: not used by action extend")]
    [InlineData("{\"action\":\"reset-hwid\",\"variables\":{}}", "variables: not used by action reset-hwid")]
    [InlineData("{\"action\":\"update\"}", "body: update needs at least one of expiresAt, maxHwidSlots, unlimitedHwidSlots, label, variables")]
    [InlineData("{\"action\":\"update\",\"maxHwidSlots\":0}", "maxHwidSlots: must be an integer from 1 to 16")]
    [InlineData("{\"action\":\"update\",\"maxHwidSlots\":17}", "maxHwidSlots: must be an integer from 1 to 16")]
    [InlineData("{\"action\":\"update\",\"variables\":{\"a\":{}}}", "variables.a: must be a string, number or boolean (variables are flat)")]
    [InlineData("{\"action\":\"update\",\"status\":\"revoked\"}", "status: unknown field")]
    [InlineData("", "body: a JSON body is required")]
    public async Task Change_with_bad_input_is_a_400_and_changes_nothing(string body, string detail)
    {
        var (account, appId) = await AccountWithApp();
        using var _ = account;
        var key = (await account.Client.CreateLicense(appId)).Id("licenseKey");
        var before = (await account.Client.GetJson($"/v1/licenses/{key}")).GetRawText();

        using var response = await account.Client.PutAsync($"/v1/licenses/{key}", Json.Raw(body), TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
        Assert.Equal(before, (await account.Client.GetJson($"/v1/licenses/{key}")).GetRawText());
    }

    [Fact]
    public async Task Another_accounts_key_gets_403_on_the_license_and_changes_nothing()
    {
        var (owner, appId) = await AccountWithApp("Owner");
        using var _ = owner;
        using var intruder = await server.Host.NewAccount("Intruder");
        var key = (await owner.Client.CreateLicense(appId)).Id("licenseKey");
        var before = (await owner.Client.GetJson($"/v1/licenses/{key}")).GetRawText();

        using var get = await intruder.Client.GetAsync($"/v1/licenses/{key}", TestContext.Current.CancellationToken);
        await get.AssertError(403, "forbidden");
        foreach (var body in new[]
                 {
                     "{\"action\":\"revoke\"}",
                     "{\"action\":\"extend\",\"expiresAt\":\"2020-01-01T00:00:00Z\"}",
                     "{\"action\":\"reset-hwid\"}",
                     "{\"action\":\"update\",\"maxHwidSlots\":16,\"label\":\"stolen\"}",
                 })
        {
            using var put = await intruder.Client.PutAsync($"/v1/licenses/{key}", Json.Raw(body), TestContext.Current.CancellationToken);
            await put.AssertError(403, "forbidden");
        }

        Assert.Equal(before, (await owner.Client.GetJson($"/v1/licenses/{key}")).GetRawText());
    }
}
