using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansLicensing.Server.Developer.Account;
using OrleansLicensing.Server.Developer.Apps;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.Developer.Licenses;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Operator;
using OrleansLicensing.Server.WebConsole.given;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// The console's pages and forms over real HTTP on a real SQLite server, as a browser sends them:
/// forms sent twice, the limits the fields announce, wording per signing scheme, unknown paths, the icon.
/// </summary>
[Collection(SqliteServerCollection.Name)]
public sealed partial class ConsoleFormsTests(SqliteServer server)
{
    private Testing.LicensingTestHost Host => server.Host;

    [Fact]
    public async Task Sending_the_create_licenses_form_again_shows_the_same_batch_and_creates_no_more()
    {
        var ct = TestContext.Current.CancellationToken;
        using var account = await Host.NewAccount("Reload Ltd", credits: 10);
        var appId = (await account.Client.CreateApp()).Id("appId");
        using var console = new ConsoleClient(Host.BaseAddress);
        await console.SignInAsync(account.ApiKey);
        var (_, form, _) = await console.GetAsync($"/console/licenses/new?appId={appId}");
        KeyValuePair<string, string>[] fields = [new("appId", appId), new("quantity", "3"), new("maxHwidSlots", "1"), new("label", "Once"), new("operationId", OperationId(form))];

        var first = await console.PostFormAsync("/console/licenses/new", fields);
        var again = await console.PostFormAsync("/console/licenses/new", fields);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Contains("3 licenses created", first.Body);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Contains("3 licenses created", again.Body);
        Assert.Contains("No new ones were created", again.Body);
        Assert.Equal(CreatedKeys(first.Body), CreatedKeys(again.Body));
        var listed = await account.Client.GetFromJsonAsync<JsonElement>($"/v1/licenses?appId={appId}", ct);
        Assert.Equal(3, listed.GetProperty("licenses").GetArrayLength());

        // The answer's form starts over, with a new operation id: the next batch is a new one.
        Assert.DoesNotContain("value=\"Once\"", first.Body);
        Assert.NotEqual(OperationId(form), OperationId(first.Body));
    }

    [Fact]
    public async Task Sending_a_create_form_for_an_app_a_key_or_a_webhook_again_shows_what_it_created_and_creates_no_more()
    {
        var ct = TestContext.Current.CancellationToken;
        using var account = await Host.NewAccount("Twice Ltd", credits: 10);
        using var console = new ConsoleClient(Host.BaseAddress);
        await console.SignInAsync(account.ApiKey);

        // An app: the same app and secret again, one app in the account.
        KeyValuePair<string, string>[] app = [new("name", "Only once"), new("signingScheme", "ed25519"), new("operationId", OperationId((await console.GetAsync("/console/apps")).Body))];
        var firstApp = await console.PostFormAsync("/console/apps", app);
        var againApp = await console.PostFormAsync("/console/apps", app);
        Assert.Contains("No new app was created", againApp.Body);
        Assert.Equal(Output(firstApp.Body, "app-secret"), Output(againApp.Body, "app-secret"));
        var apps = (await account.Client.GetFromJsonAsync<JsonElement>("/v1/apps", ct)).GetProperty("apps");
        var appId = Assert.Single(apps.EnumerateArray()).GetProperty("appId").GetString()!;

        // An API key: the same key again, one more key in the account.
        var keysBefore = (await account.Client.GetFromJsonAsync<JsonElement>("/v1/api-keys", ct)).GetProperty("apiKeys").GetArrayLength();
        KeyValuePair<string, string>[] key = [new("name", "ci"), new("scopes", "read:apps"), new("operationId", OperationId((await console.GetAsync("/console/api-keys")).Body))];
        var firstKey = await console.PostFormAsync("/console/api-keys?handler=Create", key);
        var againKey = await console.PostFormAsync("/console/api-keys?handler=Create", key);
        Assert.Contains("No new key was created", againKey.Body);
        Assert.Equal(Output(firstKey.Body, "new-api-key"), Output(againKey.Body, "new-api-key"));
        Assert.Equal(keysBefore + 1, (await account.Client.GetFromJsonAsync<JsonElement>("/v1/api-keys", ct)).GetProperty("apiKeys").GetArrayLength());

        // A webhook: the same secret again, one webhook on the app.
        var page = (await console.GetAsync($"/console/apps/{appId}")).Body;
        KeyValuePair<string, string>[] hook = [new("webhookUrl", "https://1.1.1.1/hook"), new("webhookEvents", "license.created"), new("webhookOperationId", WebhookOperationIdField().Match(page).Groups[1].Value)];
        var firstHook = await console.PostFormAsync($"/console/apps/{appId}?handler=Webhook", hook);
        var againHook = await console.PostFormAsync($"/console/apps/{appId}?handler=Webhook", hook);
        Assert.Contains("No new webhook was created", againHook.Body);
        Assert.Equal(Output(firstHook.Body, "webhook-secret"), Output(againHook.Body, "webhook-secret"));
        Assert.Equal(1, (await account.Client.GetFromJsonAsync<JsonElement>($"/v1/apps/{appId}/webhooks", ct)).GetProperty("webhooks").GetArrayLength());
    }

    [Fact]
    public async Task A_webhook_can_be_changed_disabled_and_deleted_from_its_page()
    {
        var ct = TestContext.Current.CancellationToken;
        using var account = await Host.NewAccount("Hooks Ltd", credits: 10);
        var appId = (await account.Client.CreateApp()).Id("appId");
        using var created = await account.Client.PostAsJsonAsync($"/v1/apps/{appId}/webhooks", new { url = "https://1.1.1.1/first", events = new[] { "license.created" } }, ct);
        var webhookId = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).Id("webhookId");
        using var console = new ConsoleClient(Host.BaseAddress);
        await console.SignInAsync(account.ApiKey);
        var page = $"/console/apps/{appId}/webhooks/{webhookId}";
        Assert.Contains("value=\"https://1.1.1.1/first\"", (await console.GetAsync(page)).Body);

        // Enabled is left unticked: the webhook is disabled.
        var saved = await console.PostFormAsync($"{page}?handler=Update", [new("webhookUrl", "https://1.1.1.1/second"), new("webhookEvents", "license.revoked"), new("webhookEvents", "license.deleted")]);
        Assert.Equal(HttpStatusCode.Redirect, saved.Status);
        Assert.Contains("Webhook saved.", (await console.GetAsync(saved.Response.Headers.Location!.OriginalString)).Body);
        var stored = await account.Client.GetFromJsonAsync<JsonElement>($"/v1/apps/{appId}/webhooks/{webhookId}", ct);
        Assert.Equal(("https://1.1.1.1/second", false), (stored.Id("url"), stored.GetProperty("enabled").GetBoolean()));
        Assert.Equal(["license.deleted", "license.revoked"], stored.GetProperty("events").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));

        // A refused change shows why and changes nothing.
        var refused = await console.PostFormAsync($"{page}?handler=Update", [new("webhookUrl", "ftp://example.com/x"), new("webhookEvents", "license.created"), new("webhookEnabled", "true")]);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("Webhook URL must be an https:// address, such as https://example.com/hooks.", refused.Body);
        Assert.Equal("https://1.1.1.1/second", (await account.Client.GetFromJsonAsync<JsonElement>($"/v1/apps/{appId}/webhooks/{webhookId}", ct)).Id("url"));

        Assert.Contains("Delete this webhook?", (await console.GetAsync($"{page}?confirm=delete")).Body);
        var deleted = await console.PostFormAsync($"{page}?handler=Delete", []);
        Assert.Equal(HttpStatusCode.Redirect, deleted.Status);
        Assert.Contains("Webhook deleted.", (await console.GetAsync(deleted.Response.Headers.Location!.OriginalString)).Body);
        Assert.Equal(0, (await account.Client.GetFromJsonAsync<JsonElement>($"/v1/apps/{appId}/webhooks", ct)).GetProperty("webhooks").GetArrayLength());
    }

    private static string Output(string html, string id) =>
        new Regex($"<output id=\"{id}\">([^<]+)</output>").Match(html) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException($"no output {id} on the page");

    [Fact]
    public async Task Form_fields_take_as_many_characters_as_the_server_accepts()
    {
        using var account = await Host.NewAccount("Limits Co", credits: 10);
        var appId = (await account.Client.CreateApp()).Id("appId");
        var key = (await account.Client.CreateLicense(appId)).Id("licenseKey");
        using var console = new ConsoleClient(Host.BaseAddress);
        await console.SignInAsync(account.ApiKey);

        Assert.Equal(AppService.MaxNameLength, MaxLength((await console.GetAsync("/console/apps")).Body, "name"));
        Assert.Equal(AppService.MaxNameLength, MaxLength((await console.GetAsync($"/console/apps/{appId}")).Body, "name"));
        Assert.Equal(ApiKeyService.MaxNameLength, MaxLength((await console.GetAsync("/console/api-keys")).Body, "name"));
        var create = (await console.GetAsync("/console/licenses/new")).Body;
        Assert.Equal(LicenseService.MaxLabelLength, MaxLength(create, "label"));
        Assert.Contains($"Up to {LicenseService.MaxLabelLength} characters", create);
        Assert.Equal(LicenseService.MaxLabelLength, MaxLength((await console.GetAsync($"/console/licenses/{key}/edit")).Body, "label"));

        using var operatorConsole = new ConsoleClient(Host.BaseAddress);
        await operatorConsole.GetAsync("/console/sign-in");
        await operatorConsole.PostFormAsync("/console/sign-in?handler=Operator", [new("operatorToken", Testing.LicensingTestHost.OperatorToken)]);
        Assert.Equal(AccountAdministration.MaxNameLength, MaxLength((await operatorConsole.GetAsync("/console/operator")).Body, "name"));
        var accountPage = (await operatorConsole.GetAsync($"/console/operator/accounts/{account.AccountId}")).Body;
        Assert.Equal(AccountAdministration.MaxReasonLength, MaxLength(accountPage, "reason"));
        Assert.Equal(AccountAdministration.MaxReasonLength, MaxLength(accountPage, "statusReason"));
    }

    [Fact]
    public async Task An_hmac_app_says_its_signing_key_signs_only_offline_files()
    {
        using var account = await Host.NewAccount("Hmac Works", credits: 10);
        var appId = (await account.Client.CreateApp(new { name = "Hmac app", signingScheme = "hmac-v1" })).Id("appId");
        var ed25519 = (await account.Client.CreateApp(new { name = "Ed app" })).Id("appId");
        using var console = new ConsoleClient(Host.BaseAddress);
        await console.SignInAsync(account.ApiKey);

        var keys = (await console.GetAsync($"/console/apps/{appId}/keys")).Body;
        Assert.Contains("The current key signs offline files.", keys);
        Assert.Contains("Responses are hmac-v1 HMACs with the app secret", keys);
        Assert.DoesNotContain("signs responses", keys);
        var rotate = (await console.GetAsync($"/console/apps/{appId}/keys?confirm=rotate")).Body;
        Assert.Contains("A new key signs from the next offline file on", rotate);
        Assert.DoesNotContain("next response", rotate);
        Assert.Contains("The current key signs responses and offline files.", (await console.GetAsync($"/console/apps/{ed25519}/keys")).Body);

        var created = await console.PostFormAsync("/console/apps", [new("name", "Hmac two"), new("signingScheme", "hmac-v2")]);
        Assert.Contains("Public key for offline files (Ed25519; responses are hmac-v2 HMACs with the app secret)", created.Body);
        Assert.DoesNotContain("Public key (hmac", created.Body);
    }

    [Fact]
    public async Task An_unknown_console_path_is_a_404_page_with_the_way_back()
    {
        using var visitor = new ConsoleClient(Host.BaseAddress);
        var (status, body, _) = await visitor.GetAsync("/console/nope");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("<h1>Page not found</h1>", body);
        Assert.Contains("href=\"/console/sign-in\"", body);
        Assert.Contains("/console/assets/console.css", body);

        using var account = await Host.NewAccount("Lost Inc", credits: 10);
        await visitor.SignInAsync(account.ApiKey);
        (status, body, _) = await visitor.GetAsync("/console/licenses/KEY/nope/deeper");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("<h1>Page not found</h1>", body);
        Assert.Contains("<nav aria-label=\"Console\">", body);
        Assert.Contains("href=\"/console/licenses\"", body);
        Assert.Contains("Sign out", body);
    }

    [Fact]
    public async Task Every_page_has_an_icon_and_favicon_ico_is_served()
    {
        using var visitor = new ConsoleClient(Host.BaseAddress);
        var (_, signIn, _) = await visitor.GetAsync("/console/sign-in");
        var icon = IconLink().Match(signIn);
        Assert.True(icon.Success, "the sign-in page declares no icon");
        var (status, _, response) = await visitor.GetAsync(icon.Groups[1].Value);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        var favicon = await visitor.GetAsync("/favicon.ico");
        Assert.Equal(HttpStatusCode.OK, favicon.Status);
    }

    private static string OperationId(string html) => OperationIdField().Match(html) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException("no operationId field on the page");

    private static string CreatedKeys(string html) => CreatedKeysArea().Match(html) is { Success: true } match ? match.Groups[1].Value : "";

    private static int? MaxLength(string html, string name) =>
        new Regex($"<input [^>]*name=\"{name}\"[^>]*maxlength=\"(\\d+)\"").Match(html) is { Success: true } match ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    [GeneratedRegex("name=\"operationId\" value=\"([0-9a-f]+)\"")]
    private static partial Regex OperationIdField();

    [GeneratedRegex("name=\"webhookOperationId\" value=\"([0-9a-f]+)\"")]
    private static partial Regex WebhookOperationIdField();

    [GeneratedRegex("<textarea id=\"created-keys\"[^>]*>([^<]*)</textarea>")]
    private static partial Regex CreatedKeysArea();

    [GeneratedRegex("<link rel=\"icon\" href=\"([^\"]+)\"")]
    private static partial Regex IconLink();
}
