using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.WebConsole.given;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// The console's key material and later edits, in a real browser against a real server: staged and
/// one-step signing-key rotation, a new app secret shown once, deleting an app, editing a license,
/// and minting and downloading an offline file. Effects are checked on <c>/v1</c> and <c>/auth/*</c>.
/// </summary>
[Collection(DeveloperRoutesCollection.Name)]
public sealed class ConsoleKeysBrowserTests(DeveloperRoutesServer server) : DeveloperRoutesSpec(server.Host), IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync();

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    [Fact]
    public async Task Vendor_rotates_signing_keys_in_stages_and_in_one_step_replaces_the_secret_and_deletes_the_app()
    {
        var ct = TestContext.Current.CancellationToken;
        using var account = await Host.NewAccount("Keyed Ltd", credits: 100);
        var created = await account.Client.CreateApp(new { name = "Keyed app" });
        var appId = created.Id("appId");
        var firstKeyId = created.Id("keyId");
        var key = (await account.Client.CreateLicense(appId)).Id("licenseKey");
        var page = await SignedIn(account.ApiKey);

        await page.GotoAsync($"/console/apps/{appId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Signing keys, app secret and deletion" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signing keys" })).ToBeVisibleAsync();

        // Staged: the next key is published at once but signs nothing until promoted.
        await page.GetByRole(AriaRole.Button, new() { Name = "Create next key" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Next signing key created");
        var keys = await SigningKeys(account, appId, ct);
        var next = keys.Single(k => k.State == "next").KeyId;
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create next key" })).ToHaveCountAsync(0);
        var app = await AppFromApi(account, appId, created.Id("appSecret"), ct);
        Assert.Equal(firstKeyId, app.KeyId);
        await ValidatedPayload(app, key, "hwid-1");
        await Shot(page, "app-keys");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Promote {next}" }).ClickAsync();
        await Assertions.Expect(page.GetByText($"Promote signing key {next}?")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, promote" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Signing key promoted");
        app = await AppFromApi(account, appId, app.AppSecret, ct);
        Assert.Equal(next, app.KeyId);
        await ValidatedPayload(app, key, "hwid-1");

        // The previous key is removed (confirmed); the current one offers no Remove.
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Remove {next}" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = $"Remove {firstKeyId}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, remove" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Signing key removed");
        Assert.Equal([next], (await SigningKeys(account, appId, ct)).Select(k => k.KeyId));

        // One step: a new current key at once.
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate in one step" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, rotate now" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Signing key rotated");
        app = await AppFromApi(account, appId, app.AppSecret, ct);
        Assert.NotEqual(next, app.KeyId);
        await ValidatedPayload(app, key, "hwid-1");

        // A pending next key makes the one-step rotation a 409 with the API's words, shown on the page.
        Assert.Equal(System.Net.HttpStatusCode.Created, (await account.Client.PostAsync($"/v1/apps/{appId}/signing-keys", null, ct)).StatusCode);
        await page.GotoAsync($"/console/apps/{appId}/keys?confirm=rotate");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, rotate now" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The app has a pending next signing key");
        Assert.Equal(app.KeyId, (await AppFromApi(account, appId, app.AppSecret, ct)).KeyId);

        // New secret: shown once; the old one stops working.
        await page.GotoAsync($"/console/apps/{appId}/keys");
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate secret" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, replace the secret" }).ClickAsync();
        var secret = (await page.Locator("#app-secret").TextContentAsync())!.Trim();
        Assert.False(string.IsNullOrEmpty(secret));
        Assert.NotEqual(app.AppSecret, secret);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy" })).ToBeVisibleAsync();
        AssertFailure(await Validate(app, key, "hwid-1"), "invalid_app", FailureMode.Always200, 401);
        app = app with { AppSecret = secret };
        await ValidatedPayload(app, key, "hwid-1");
        await page.GotoAsync($"/console/apps/{appId}/keys");
        Assert.DoesNotContain(secret, await page.ContentAsync());

        // Delete (confirmed): gone from the list, and validate answers invalid_app.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete app" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete the app" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("App deleted.");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Keyed app" })).ToHaveCountAsync(0);
        AssertFailure(await Validate(app, key, "hwid-1"), "invalid_app", FailureMode.Always200, 401);
    }

    [Fact]
    public async Task Sending_the_secret_rotation_again_shows_the_same_secret_and_does_not_rotate_again()
    {
        var ct = TestContext.Current.CancellationToken;
        using var account = await Host.NewAccount("Resend Ltd", credits: 10);
        var appId = (await account.Client.CreateApp(new { name = "Resent app" })).Id("appId");
        var key = (await account.Client.CreateLicense(appId)).Id("licenseKey");
        using var console = new ConsoleClient(Host.BaseAddress);
        await console.SignInAsync(account.ApiKey);
        var (_, confirm, _) = await console.GetAsync($"/console/apps/{appId}/keys?confirm=rotate-secret");
        var operationId = System.Text.RegularExpressions.Regex.Match(confirm, "name=\"operationId\" value=\"([0-9a-f]+)\"").Groups[1].Value;
        Assert.NotEqual("", operationId);

        // A reload of the answer sends the same form again.
        var first = await console.PostFormAsync($"/console/apps/{appId}/keys?handler=RotateSecret", [new("operationId", operationId)]);
        var again = await console.PostFormAsync($"/console/apps/{appId}/keys?handler=RotateSecret", [new("operationId", operationId)]);

        var secret = ShownSecret(first.Body);
        Assert.False(string.IsNullOrEmpty(secret));
        Assert.Equal(secret, ShownSecret(again.Body));
        Assert.Contains("the secret was replaced then and not again", again.Body);
        var app = await AppFromApi(account, appId, secret, ct);
        await ValidatedPayload(app, key, "hwid-1");
    }

    [Fact]
    public async Task A_key_without_admin_apps_sees_the_keys_but_no_buttons_and_cannot_post_them()
    {
        var ct = TestContext.Current.CancellationToken;
        using var account = await Host.NewAccount("Reader Co", credits: 10);
        var appId = (await account.Client.CreateApp(new { name = "Read only" })).Id("appId");
        var writer = await Host.RegisterKey(account.AccountId, ["read:apps", "write:apps"]);
        var page = await SignedIn(writer);
        await page.GotoAsync($"/console/apps/{appId}/keys");
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "current" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create next key" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete app" })).ToHaveCountAsync(0);

        using var console = new ConsoleClient(Host.BaseAddress);
        await console.SignInAsync(writer);
        await console.GetAsync($"/console/apps/{appId}/keys");
        var (status, body, _) = await console.PostFormAsync($"/console/apps/{appId}/keys?handler=Delete", []);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, status);
        Assert.Contains("admin:apps", body);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await account.Client.GetAsync($"/v1/apps/{appId}", ct)).StatusCode);
        var secretAttempt = await console.PostFormAsync($"/console/apps/{appId}/keys?handler=RotateSecret", []);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, secretAttempt.Status);

        // Another account's app: refused with the API's message, nothing of it shown.
        using var other = await Host.NewAccount("Stranger", credits: 1);
        using var stranger = new ConsoleClient(Host.BaseAddress);
        await stranger.SignInAsync(other.ApiKey);
        var foreign = await stranger.GetAsync($"/console/apps/{appId}/keys");
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, foreign.Status);
        Assert.Contains($"App {appId} belongs to another account", foreign.Body);
        Assert.DoesNotContain("Read only", foreign.Body);
        var foreignDelete = await stranger.PostFormAsync($"/console/apps/{appId}/keys?handler=Delete", []);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, foreignDelete.Status);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await account.Client.GetAsync($"/v1/apps/{appId}", ct)).StatusCode);
    }

    [Fact]
    public async Task Vendor_edits_a_license_and_mints_and_downloads_an_offline_file()
    {
        var ct = TestContext.Current.CancellationToken;
        using var account = await Host.NewAccount("Offline GmbH", credits: 50);
        var created = await account.Client.CreateApp(new { name = "Offline app" });
        var appId = created.Id("appId");
        var key = (await account.Client.CreateLicense(appId)).Id("licenseKey");
        var page = await SignedIn(account.ApiKey);

        // Edit: label, slots, variables through the update action.
        await page.GotoAsync($"/console/licenses/{key}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit label, slots and variables" }).ClickAsync();
        await page.GetByLabel("Label").FillAsync("<b>Contoso</b>");
        await page.GetByLabel("HWID slots").FillAsync("99");
        await page.GetByLabel("Variables (JSON object)").FillAsync("""{"tier": "gold"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("HWID slots must be a whole number from 1 to 16.");
        Assert.Equal("<b>Contoso</b>", await page.GetByLabel("Label").InputValueAsync());
        Assert.Equal("""{"tier": "gold"}""", await page.GetByLabel("Variables (JSON object)").InputValueAsync());
        var unchanged = await account.Client.GetFromJsonAsync<JsonElement>($"/v1/licenses/{key}", ct);
        Assert.Equal(JsonValueKind.Null, unchanged.GetProperty("label").ValueKind);

        await page.GetByLabel("HWID slots").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("License updated.");
        await Assertions.Expect(page.GetByText("<b>Contoso</b>")).ToBeVisibleAsync();
        var license = await account.Client.GetFromJsonAsync<JsonElement>($"/v1/licenses/{key}", ct);
        Assert.Equal(("<b>Contoso</b>", 3), (license.GetProperty("label").GetString(), license.GetProperty("maxHwidSlots").GetInt32()));
        Assert.Equal("gold", license.GetProperty("variables").GetProperty("tier").GetString());

        // Offline file: bound to two machines, one credit, downloaded with the bytes the API serves.
        await page.GetByRole(AriaRole.Link, new() { Name = "Offline files" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No offline files yet.")).ToBeVisibleAsync();
        await page.GetByLabel("HWIDs (one a line)").FillAsync("machine-a\nmachine-b");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mint file" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Offline file minted");
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "machine-a, machine-b" })).ToBeVisibleAsync();
        await Shot(page, "offline-files");
        var files = (await account.Client.GetFromJsonAsync<JsonElement>($"/v1/licenses/{key}/offline-files", ct)).GetProperty("offlineFiles");
        var fileId = Assert.Single(files.EnumerateArray().ToArray()).GetProperty("fileId").GetString();
        var apiFile = (await account.Client.GetFromJsonAsync<JsonElement>($"/v1/licenses/{key}/offline-files/{fileId}", ct)).GetProperty("file").GetString();
        Assert.Equal(49, (await account.Client.GetFromJsonAsync<JsonElement>("/v1/account", ct)).GetProperty("credits").GetInt64());

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Download") }).ClickAsync());
        Assert.Equal($"{key}.authforge", download.SuggestedFilename);
        var path = await download.PathAsync();
        Assert.Equal(apiFile, await File.ReadAllTextAsync(path, ct));

        // A refused mint (an expiry after a past date) says why in plain words and keeps the HWIDs.
        await page.GetByLabel("HWIDs (one a line)").FillAsync("machine-c");
        await page.GetByLabel("File expires (UTC, empty = never)").FillAsync("2001-01-01T00:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mint file" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Choose a date in the future.");
        Assert.Equal("machine-c", await page.GetByLabel("HWIDs (one a line)").InputValueAsync());
        Assert.Single((await account.Client.GetFromJsonAsync<JsonElement>($"/v1/licenses/{key}/offline-files", ct)).GetProperty("offlineFiles").EnumerateArray());
    }

    private async Task<IPage> SignedIn(string apiKey)
    {
        var page = await _browser.NewPageAsync(Host.BaseAddress);
        await page.GotoAsync("/console/sign-in");
        await page.GetByLabel("API key").FillAsync(apiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        return page;
    }

    private static string ShownSecret(string html) =>
        System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(html, "<output id=\"app-secret\">([^<]*)</output>").Groups[1].Value);

    private static async Task<(string KeyId, string State)[]> SigningKeys(DeveloperAccount account, string appId, CancellationToken ct) =>
        [.. (await account.Client.GetFromJsonAsync<JsonElement>($"/v1/apps/{appId}/signing-keys", ct)).GetProperty("signingKeys").EnumerateArray()
            .Select(k => (k.GetProperty("keyId").GetString()!, k.GetProperty("state").GetString()!))];

    private static async Task<TestApp> AppFromApi(DeveloperAccount account, string appId, string secret, CancellationToken ct)
    {
        var app = await account.Client.GetFromJsonAsync<JsonElement>($"/v1/apps/{appId}", ct);
        return new TestApp(appId, secret, SigningScheme.Ed25519, app.GetProperty("publicKey").GetString()!, app.GetProperty("keyId").GetString()!, account.AccountId);
    }

    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleBrowser.ScreenshotDirectory, name + ".png"), FullPage = true });
}
