using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;

namespace OrleansLicensing.Server.Developer.Apps;

[Collection(SqliteServerCollection.Name)]
public sealed class AppsApiTests(SqliteServer server)
{
    private const string UuidV4 = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";
    private const string Timestamp = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$";

    [Fact]
    public async Task Create_answers_201_with_the_app_its_secret_and_its_signing_key()
    {
        using var account = await server.Host.NewAccount();

        using var response = await account.Client.PostAsJsonAsync("/v1/apps", new { name = "  Photo Editor  " }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var app = await response.Body();
        var appId = app.Id("appId");
        Assert.Matches(UuidV4, appId);
        Assert.Equal($"/v1/apps/{appId}", response.Headers.Location?.OriginalString);
        Assert.Equal(("Photo Editor", "active", "ed25519", "always200"), (app.Id("name"), app.Id("status"), app.Id("signingScheme"), app.Id("failureHttpStatus")));
        Assert.Equal(JsonValueKind.Null, app.GetProperty("dailyCreditCap").ValueKind);
        Assert.False(string.IsNullOrEmpty(app.Id("appSecret")));
        Assert.Matches("^[0-9a-f]{16}$", app.Id("keyId"));
        Assert.Equal(32, Convert.FromBase64String(app.Id("publicKey")).Length);
        var key = Assert.Single(app.GetProperty("publicKeys").EnumerateArray());
        Assert.Equal((app.Id("keyId"), app.Id("publicKey")), (key.Id("keyId"), key.Id("publicKey")));
        Assert.Matches(Timestamp, key.Id("createdAt"));
        Assert.Equal("{}", app.GetProperty("variables").GetRawText());
        Assert.Matches(Timestamp, app.Id("createdAt"));
    }

    [Theory]
    [InlineData("ed25519", "always200", null)]
    [InlineData("hmac-v1", "semantic", 1L)]
    [InlineData("hmac-v2", "always200", 5000L)]
    public async Task Create_keeps_the_chosen_scheme_failure_mode_and_cap(string scheme, string failure, long? cap)
    {
        using var account = await server.Host.NewAccount();

        var created = await account.Client.CreateApp(new { name = "x", signingScheme = scheme, failureHttpStatus = failure, dailyCreditCap = cap });
        var read = await account.Client.GetJson($"/v1/apps/{created.Id("appId")}");

        foreach (var app in new[] { created, read })
        {
            Assert.Equal((scheme, failure), (app.Id("signingScheme"), app.Id("failureHttpStatus")));
            Assert.Equal(cap, app.GetProperty("dailyCreditCap").ValueKind == JsonValueKind.Null ? null : app.GetProperty("dailyCreditCap").GetInt64());
        }
    }

    [Fact]
    public async Task Get_shows_the_app_but_never_its_secret()
    {
        using var account = await server.Host.NewAccount();
        var created = await account.Client.CreateApp();

        var read = await account.Client.GetJson($"/v1/apps/{created.Id("appId")}");

        Assert.False(read.TryGetProperty("appSecret", out _));
        Assert.DoesNotContain(created.Id("appSecret"), read.GetRawText());
        Assert.Equal(
            created.EnumerateObject().Where(p => p.Name != "appSecret").Select(p => (p.Name, p.Value.GetRawText())),
            read.EnumerateObject().Select(p => (p.Name, p.Value.GetRawText())));
    }

    [Theory]
    [InlineData("{}", "name: required")]
    [InlineData("{\"name\":\"   \"}", "name: required")]
    [InlineData("{\"name\":7}", "name: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"x\",\"signingScheme\":\"rsa\"}", "signingScheme: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"x\",\"signingScheme\":\"hmac_v1\"}", "signingScheme: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"x\",\"signingScheme\":1}", "signingScheme: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"x\",\"failureHttpStatus\":\"sometimes\"}", "failureHttpStatus: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"x\",\"dailyCreditCap\":0}", "dailyCreditCap: must be an integer >= 1 or null")]
    [InlineData("{\"name\":\"x\",\"dailyCreditCap\":\"5\"}", "dailyCreditCap: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"x\",\"dailyCreditCap\":2.5}", "dailyCreditCap: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"\\ud800\"}", "name: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"x\",\"status\":\"active\"}", "status: unknown field")]
    [InlineData("{\"name\":\"x\",\"appSecret\":\"mine\"}", "appSecret: unknown field")]
    [InlineData("{\"name\":", "name: malformed JSON")]
    [InlineData("", "body: a JSON body is required")]
    public async Task Create_with_bad_input_is_a_400_with_details(string body, string detail)
    {
        using var account = await server.Host.NewAccount();

        using var response = await account.Client.PostAsync("/v1/apps", Json.Raw(body), TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
    }

    [Fact]
    public async Task Create_with_a_name_over_200_characters_is_a_400()
    {
        using var account = await server.Host.NewAccount();

        using var response = await account.Client.PostAsJsonAsync("/v1/apps", new { name = new string('n', 201) }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Contains("name: at most 200 characters", await response.AssertError(400, "bad_request"));
    }

    [Fact]
    public async Task Update_changes_only_the_fields_it_names()
    {
        using var account = await server.Host.NewAccount();
        var app = await account.Client.CreateApp(new { name = "Before", dailyCreditCap = 10 });
        var appId = app.Id("appId");

        using var response = await account.Client.PutAsync($"/v1/apps/{appId}", Json.Raw("{\"name\":\"After\",\"status\":\"disabled\"}"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var updated = await response.Body();
        Assert.False(updated.TryGetProperty("appSecret", out _));
        Assert.Equal(("After", "disabled", "ed25519", "always200", 10L, app.Id("keyId")),
            (updated.Id("name"), updated.Id("status"), updated.Id("signingScheme"), updated.Id("failureHttpStatus"), updated.GetProperty("dailyCreditCap").GetInt64(), updated.Id("keyId")));
        Assert.Equal(updated.GetRawText(), (await account.Client.GetJson($"/v1/apps/{appId}")).GetRawText());
    }

    [Fact]
    public async Task Update_sets_scheme_failure_mode_and_cap_and_a_null_cap_removes_it()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");

        using var first = await account.Client.PutAsync($"/v1/apps/{appId}", Json.Raw("{\"signingScheme\":\"hmac-v2\",\"failureHttpStatus\":\"semantic\",\"dailyCreditCap\":25}"), TestContext.Current.CancellationToken);
        using var untouched = await account.Client.PutAsync($"/v1/apps/{appId}", Json.Raw("{\"status\":\"active\"}"), TestContext.Current.CancellationToken);
        using var cleared = await account.Client.PutAsync($"/v1/apps/{appId}", Json.Raw("{\"dailyCreditCap\":null}"), TestContext.Current.CancellationToken);

        var set = await first.Body();
        Assert.Equal(("hmac-v2", "semantic", 25L), (set.Id("signingScheme"), set.Id("failureHttpStatus"), set.GetProperty("dailyCreditCap").GetInt64()));
        Assert.Equal(25, (await untouched.Body()).GetProperty("dailyCreditCap").GetInt64());
        var after = await cleared.Body();
        Assert.Equal(JsonValueKind.Null, after.GetProperty("dailyCreditCap").ValueKind);
        Assert.Equal(("hmac-v2", "semantic"), (after.Id("signingScheme"), after.Id("failureHttpStatus")));
    }

    [Theory]
    [InlineData("{\"status\":\"paused\"}", "status: has the wrong type or an unknown value")]
    [InlineData("{\"status\":\"suspended\"}", "status: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"\"}", "name: must not be empty")]
    [InlineData("{\"dailyCreditCap\":0}", "dailyCreditCap: must be an integer >= 1 or null")]
    [InlineData("{\"dailyCreditCap\":\"none\"}", "dailyCreditCap: has the wrong type or an unknown value")]
    [InlineData("{\"signingScheme\":\"hmac-v3\"}", "signingScheme: has the wrong type or an unknown value")]
    [InlineData("{\"publicKey\":\"AAAA\"}", "publicKey: unknown field")]
    [InlineData("[]", "body: has the wrong type or an unknown value")]
    [InlineData("", "body: a JSON body is required")]
    public async Task Update_with_bad_input_is_a_400_and_changes_nothing(string body, string detail)
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp(new { name = "Stable", dailyCreditCap = 3 })).Id("appId");
        var before = (await account.Client.GetJson($"/v1/apps/{appId}")).GetRawText();

        using var response = await account.Client.PutAsync($"/v1/apps/{appId}", Json.Raw(body), TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
        Assert.Equal(before, (await account.Client.GetJson($"/v1/apps/{appId}")).GetRawText());
    }

    [Fact]
    public async Task Rotate_secret_returns_a_new_secret_once_and_get_still_shows_none()
    {
        using var account = await server.Host.NewAccount();
        var created = await account.Client.CreateApp();
        var appId = created.Id("appId");
        var before = (await account.Client.GetJson($"/v1/apps/{appId}")).GetRawText();

        using var response = await account.Client.PostAsync($"/v1/apps/{appId}/rotate-secret", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rotated = await response.Body();
        var newSecret = rotated.Id("appSecret");
        Assert.False(string.IsNullOrEmpty(newSecret));
        Assert.NotEqual(created.Id("appSecret"), newSecret);
        Assert.Equal((created.Id("keyId"), created.Id("publicKey")), (rotated.Id("keyId"), rotated.Id("publicKey")));
        var after = await account.Client.GetJson($"/v1/apps/{appId}");
        Assert.False(after.TryGetProperty("appSecret", out _));
        Assert.DoesNotContain(newSecret, after.GetRawText());
        Assert.Equal(before, after.GetRawText());
    }

    [Fact]
    public async Task Rotate_signing_key_makes_a_new_key_current_and_keeps_the_old_one_listed_newest_first()
    {
        using var account = await server.Host.NewAccount();
        var created = await account.Client.CreateApp();
        var appId = created.Id("appId");

        using var response = await account.Client.PostAsync($"/v1/apps/{appId}/rotate-signing-key", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rotated = await response.Body();
        Assert.False(rotated.TryGetProperty("appSecret", out _));
        Assert.NotEqual(created.Id("keyId"), rotated.Id("keyId"));
        Assert.NotEqual(created.Id("publicKey"), rotated.Id("publicKey"));
        var listed = rotated.GetProperty("publicKeys").EnumerateArray().Select(k => (k.Id("keyId"), k.Id("publicKey"))).ToArray();
        Assert.Equal([(rotated.Id("keyId"), rotated.Id("publicKey")), (created.Id("keyId"), created.Id("publicKey"))], listed);
        Assert.Equal(rotated.GetRawText(), (await account.Client.GetJson($"/v1/apps/{appId}")).GetRawText());
    }

    public static TheoryData<string> MissingAppIds => new()
    {
        Guid.NewGuid().ToString(),
        Guid.NewGuid().ToString().ToUpperInvariant(),
        Guid.NewGuid().ToString("N"),
        "nope",
        "12345",
    };

    [Theory]
    [MemberData(nameof(MissingAppIds))]
    public async Task Unknown_or_malformed_app_ids_are_404_on_every_app_route(string appId)
    {
        using var account = await server.Host.NewAccount();

        foreach (var (method, suffix) in new[] { ("GET", ""), ("PUT", ""), ("POST", "/rotate-secret"), ("POST", "/rotate-signing-key") })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), $"/v1/apps/{appId}{suffix}") { Content = method == "PUT" ? Json.Raw("{\"name\":\"x\"}") : null };
            using var response = await account.Client.SendAsync(request, TestContext.Current.CancellationToken);
            await response.AssertError(404, "not_found");
        }
    }

    [Fact]
    public async Task Another_accounts_key_gets_403_on_every_app_route_and_changes_nothing()
    {
        using var owner = await server.Host.NewAccount("Owner");
        using var intruder = await server.Host.NewAccount("Intruder");
        var appId = (await owner.Client.CreateApp(new { name = "Owned" })).Id("appId");
        var before = (await owner.Client.GetJson($"/v1/apps/{appId}")).GetRawText();

        foreach (var (method, suffix, body) in new[]
                 {
                     ("GET", "", null),
                     ("PUT", "", "{\"name\":\"stolen\",\"status\":\"disabled\",\"dailyCreditCap\":1}"),
                     ("POST", "/rotate-secret", null),
                     ("POST", "/rotate-signing-key", null),
                 })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), $"/v1/apps/{appId}{suffix}") { Content = body is null ? null : Json.Raw(body) };
            using var response = await intruder.Client.SendAsync(request, TestContext.Current.CancellationToken);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            await response.AssertError(403, "forbidden");
            Assert.DoesNotContain("Owned", text);
        }

        Assert.Equal(before, (await owner.Client.GetJson($"/v1/apps/{appId}")).GetRawText());
    }
}
