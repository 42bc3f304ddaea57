using System.Net;
using System.Text.Json;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Developer.Apps;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;

namespace OrleansLicensing.Server.Developer.Licenses;

/// <summary>License delete, the hwid/reset alias and license variables (LicensesController, LicenseSettingsController).</summary>
[Collection(DeveloperRoutesCollection.Name)]
public sealed class LicenseRoutesApiTests(DeveloperRoutesServer server) : DeveloperRoutesSpec(server.Host)
{
    public static TheoryData<string, string, string?, string> Routes => new()
    {
        { "DELETE", "/v1/licenses/{0}", null, "write:licenses" },
        { "POST", "/v1/licenses/{0}/hwid/reset", null, "write:licenses" },
        { "GET", "/v1/licenses/{0}/variables", null, "read:licenses" },
        { "PUT", "/v1/licenses/{0}/variables", """{"seats":99}""", "write:licenses" },
    };

    [Fact]
    public async Task Delete_answers_204_and_validate_then_answers_invalid_key()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        await ValidatedPayload(app, key, "hwid-1");

        using var response = await account.Client.DeleteAsync($"/v1/licenses/{key.ToLowerInvariant()}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        AssertFailure(await Validate(app, key, "hwid-1"), "invalid_key", FailureMode.Always200, 401);
        await SendExpectingError(account.Client, HttpMethod.Get, $"/v1/licenses/{key}", null, 404, "not_found");
        await SendExpectingError(account.Client, HttpMethod.Get, $"/v1/licenses/{key}/variables", null, 404, "not_found");
        await SendExpectingError(account.Client, HttpMethod.Delete, $"/v1/licenses/{key}", null, 404, "not_found");
    }

    [Fact]
    public async Task Hwid_reset_empties_the_list_and_answers_like_the_reset_hwid_action()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        var other = await NewApiLicense(account, app);
        await ValidatedPayload(app, key, "hwid-a");
        await ValidatedPayload(app, other, "hwid-a");
        AssertFailure(await Validate(app, key, "hwid-b"), "hwid_mismatch", FailureMode.Always200, 403);

        var reset = await SendOk(account.Client, HttpMethod.Post, $"/v1/licenses/{key}/hwid/reset");
        var viaAction = await SendOk(account.Client, HttpMethod.Put, $"/v1/licenses/{other}", """{"action":"reset-hwid"}""");

        Assert.Equal((0, 0), (reset.GetProperty("hwidCount").GetInt32(), reset.GetProperty("hwidList").GetArrayLength()));
        Assert.Equal(viaAction.EnumerateObject().Select(p => p.Name), reset.EnumerateObject().Select(p => p.Name));
        Assert.Equal((await account.Client.GetJson($"/v1/licenses/{key}")).GetRawText(), reset.GetRawText());
        Assert.Equal(1, (await ValidatedPayload(app, key, "hwid-b")).GetProperty("hwidCount").GetInt32());
    }

    [Fact]
    public async Task Variables_put_replaces_them_and_the_next_validate_carries_them()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);

        var put = await SendOk(account.Client, HttpMethod.Put, $"/v1/licenses/{key}/variables", """{"seats":5,"tier":"gold","trial":false}""");

        const string Expected = """{"seats":5,"tier":"gold","trial":false}""";
        Assert.Equal(Expected, put.GetRawText());
        Assert.Equal(Expected, (await account.Client.GetJson($"/v1/licenses/{key}/variables")).GetRawText());
        Assert.Equal(Expected, (await account.Client.GetJson($"/v1/licenses/{key}")).GetProperty("variables").GetRawText());
        var payload = await ValidatedPayload(app, key, "hwid-1");
        Assert.Equal(Expected, payload.GetProperty("licenseVariables").GetRawText());
        Assert.Equal("{}", payload.GetProperty("appVariables").GetRawText());

        Assert.Equal("{}", (await SendOk(account.Client, HttpMethod.Put, $"/v1/licenses/{key}/variables", "{}")).GetRawText());
        Assert.Equal("{}", (await ValidatedPayload(app, key, "hwid-1")).GetProperty("licenseVariables").GetRawText());
    }

    [Fact]
    public async Task Integral_numbers_in_variables_are_stored_and_signed_as_plain_digits()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);

        // auth-protocol.md §2.3: every integer of an /auth response is plain digits; 2.50 is not an integer.
        var put = await SendOk(account.Client, HttpMethod.Put, $"/v1/licenses/{key}/variables", """{"a":1.0,"b":1E3,"c":-0,"d":2.50,"e":-12e-1,"f":7,"g":1.5e1,"h":-0.0e5}""");

        const string Expected = """{"a":1,"b":1000,"c":0,"d":2.50,"e":-12e-1,"f":7,"g":15,"h":0}""";
        Assert.Equal(Expected, put.GetRawText());
        Assert.Equal(Expected, (await ValidatedPayload(app, key, "hwid-1")).GetProperty("licenseVariables").GetRawText());
    }

    [Theory]
    [InlineData("""{"action":"REVOKE"}""")]
    [InlineData("""{"action":" revoke"}""")]
    [InlineData("""{"action":"Revoke"}""")]
    public async Task An_action_in_another_spelling_is_a_400_and_changes_nothing(string body)
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);

        Assert.Contains("action: has the wrong type or an unknown value", await SendExpectingError(account.Client, HttpMethod.Put, $"/v1/licenses/{key}", body, 400, "bad_request"));

        Assert.Equal("active", (await account.Client.GetJson($"/v1/licenses/{key}")).GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(AppSettingsApiTests.BadVariables), MemberType = typeof(AppSettingsApiTests))]
    public async Task Variables_put_with_bad_input_is_a_400_and_changes_nothing(string body, string detail)
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        await SendOk(account.Client, HttpMethod.Put, $"/v1/licenses/{key}/variables", """{"keep":"me"}""");

        Assert.Contains(detail, await SendExpectingError(account.Client, HttpMethod.Put, $"/v1/licenses/{key}/variables", body, 400, "bad_request"));

        Assert.Equal("""{"keep":"me"}""", (await account.Client.GetJson($"/v1/licenses/{key}/variables")).GetRawText());
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Another_accounts_key_is_forbidden_and_changes_nothing(string method, string template, string? body, string scope)
    {
        var (owner, app) = await NewDeveloperApp();
        using var _ = owner;
        using var intruder = await Host.NewAccount("Intruder");
        var key = await NewApiLicense(owner, app);
        await SendOk(owner.Client, HttpMethod.Put, $"/v1/licenses/{key}/variables", """{"secret":"owner-only"}""");
        await ValidatedPayload(app, key, "hwid-1");
        var before = (await owner.Client.GetJson($"/v1/licenses/{key}")).GetRawText();

        var (status, text) = await Send(intruder.Client, new HttpMethod(method), string.Format(template, key), body);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.DoesNotContain("owner-only", text);
        Assert.Equal(before, (await owner.Client.GetJson($"/v1/licenses/{key}")).GetRawText());
        Assert.NotEmpty(scope);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Unknown_keys_are_a_404_missing_api_keys_a_401_and_the_scope_is_required(string method, string template, string? body, string scope)
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        using var anonymous = Host.ClientWithAuthorization(null);
        using var without = await ClientWithScopes(account, "read:apps", "write:apps", scope == "read:licenses" ? "read:logs" : "read:licenses");
        using var with = await ClientWithScopes(account, scope);

        await SendExpectingError(account.Client, new HttpMethod(method), string.Format(template, "ABCD-EFGH-JKLM-NPQR"), body, 404, "not_found");
        await SendExpectingError(account.Client, new HttpMethod(method), string.Format(template, "not-a-key"), body, 404, "not_found");
        await SendExpectingError(anonymous, new HttpMethod(method), string.Format(template, key), body, 401, "invalid_api_key");
        await SendExpectingError(without, new HttpMethod(method), string.Format(template, key), body, 403, "forbidden");
        await SendOk(account.Client, HttpMethod.Get, $"/v1/licenses/{key}");

        var (status, text) = await Send(with, new HttpMethod(method), string.Format(template, key), body);
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NoContent, $"{(int)status}: {text}");
    }
}
