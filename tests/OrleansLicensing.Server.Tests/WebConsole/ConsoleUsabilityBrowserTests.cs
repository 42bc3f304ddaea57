using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.WebConsole.given;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// The console's usability, in a real browser against a real server (SQLite, HTTP): which app the
/// per-app pages show and how to change it, paging back as well as forward, and refusals worded for
/// the person at the form, beside the field they are about.
/// </summary>
[Collection(DeveloperRoutesCollection.Name)]
public sealed class ConsoleUsabilityBrowserTests(DeveloperRoutesServer server) : DeveloperRoutesSpec(server.Host), IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync();

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    [Fact]
    public async Task Licenses_and_logs_name_the_app_they_show_keep_it_in_the_address_and_switch_it_with_the_selector()
    {
        using var account = await Host.NewAccount("Two Products", credits: 100);
        var zeta = (await account.Client.CreateApp(new { name = "Zeta Editor" })).Id("appId");
        var alpha = (await account.Client.CreateApp(new { name = "Alpha Tool" })).Id("appId");
        var zetaKey = (await account.Client.CreateLicense(zeta)).Id("licenseKey");
        var alphaKey = (await account.Client.CreateLicense(alpha)).Id("licenseKey");
        var page = await SignedIn(account.ApiKey);

        // Opened without an app: the first app by name, named in the address, the selector and the title.
        await page.GotoAsync("/console/licenses");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/console/licenses\\?appId={alpha}$"));
        var selector = page.GetByRole(AriaRole.Combobox, new() { Name = "App" });
        await Assertions.Expect(selector).ToHaveValueAsync(alpha);
        await Assertions.Expect(page.GetByRole(AriaRole.Form, new() { Name = "Choose the app" })).ToContainTextAsync("Showing Alpha Tool · one of your 2 apps");
        await Assertions.Expect(page).ToHaveTitleAsync(new Regex("^Licenses · Alpha Tool"));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = alphaKey })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = zetaKey })).ToHaveCountAsync(0);
        await Shot(page, "licenses-app-bar");

        // Choosing another app shows it at once, and the address says so.
        await selector.SelectOptionAsync(new SelectOptionValue { Label = "Zeta Editor" });
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/console/licenses\\?appId={zeta}$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = zetaKey })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = alphaKey })).ToHaveCountAsync(0);

        // Logs from there opens on the same app; so does Licenses from a license of the other app.
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Console" });
        await nav.GetByRole(AriaRole.Link, new() { Name = "Logs" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/console/logs\\?appId={zeta}$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = "App" })).ToHaveValueAsync(zeta);
        await Assertions.Expect(page).ToHaveTitleAsync(new Regex("^Logs · Zeta Editor"));
        await page.GotoAsync($"/console/licenses/{alphaKey}");
        await nav.GetByRole(AriaRole.Link, new() { Name = "Licenses" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/console/licenses\\?appId={alpha}$"));

        // Without script the Show button does it.
        var noScript = await SignedIn(account.ApiKey, javaScript: false);
        await noScript.GotoAsync($"/console/logs?appId={alpha}");
        await noScript.GetByRole(AriaRole.Combobox, new() { Name = "App" }).SelectOptionAsync(new SelectOptionValue { Label = "Zeta Editor" });
        await noScript.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(noScript).ToHaveURLAsync(new Regex($"/console/logs\\?appId={zeta}$"));
    }

    [Fact]
    public async Task Without_apps_licenses_and_logs_say_so_and_lead_to_creating_the_first()
    {
        using var account = await Host.NewAccount("No Apps Yet", credits: 10);
        var page = await SignedIn(account.ApiKey);

        foreach (var path in new[] { "/console/licenses", "/console/logs", "/console/licenses/new" })
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No apps yet" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Search" })).ToHaveCountAsync(0);
        }
        await page.GotoAsync("/console/licenses");
        await Shot(page, "licenses-no-apps");
        await page.GetByRole(AriaRole.Link, new() { Name = "Create an app" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/apps#create-app$"));
        await page.GetByLabel("App name").FillAsync("First Product");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create app" }).ClickAsync();
        var appId = (await page.Locator("#app-id").TextContentAsync())!.Trim();

        await page.GotoAsync("/console/licenses");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"appId={appId}$"));
        await Assertions.Expect(page.GetByText("This app has no licenses yet.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Paged_lists_lead_back_to_the_previous_and_the_first_page()
    {
        var ct = TestContext.Current.CancellationToken;
        using var account = await Host.NewAccount("Many Licenses", credits: 1_000);
        var appId = (await account.Client.CreateApp()).Id("appId");
        using (var created = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId, quantity = 60, label = "Bulk" }, ct))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(ct));
        }
        var page = await SignedIn(account.ApiKey);
        var pager = page.GetByRole(AriaRole.Navigation, new() { Name = "Pages" });

        // Licenses (25 a page), filtered by label: the filter stays on every page.
        await page.GotoAsync($"/console/licenses?appId={appId}&label=Bulk");
        await Assertions.Expect(pager).ToContainTextAsync("Page 1");
        await Assertions.Expect(pager.GetByRole(AriaRole.Link, new() { Name = "Previous page" })).ToHaveCountAsync(0);
        await Assertions.Expect(pager.GetByRole(AriaRole.Link, new() { Name = "First page" })).ToHaveCountAsync(0);
        var first = await Keys(page);
        await pager.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Assertions.Expect(pager).ToContainTextAsync("Page 2");
        var second = await Keys(page);
        await pager.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Assertions.Expect(pager).ToContainTextAsync("Page 3");
        await Assertions.Expect(pager.GetByRole(AriaRole.Link, new() { Name = "Next page" })).ToHaveCountAsync(0);
        var third = await Keys(page);
        Assert.Equal((25, 25, 10), (first.Count, second.Count, third.Count));
        Assert.Equal(60, first.Concat(second).Concat(third).Distinct().Count());
        Assert.Contains("label=Bulk", page.Url);
        await Shot(page, "licenses-page-3");

        await pager.GetByRole(AriaRole.Link, new() { Name = "Previous page" }).ClickAsync();
        await Assertions.Expect(pager).ToContainTextAsync("Page 2");
        Assert.Equal(second, await Keys(page));
        await pager.GetByRole(AriaRole.Link, new() { Name = "Previous page" }).ClickAsync();
        await Assertions.Expect(pager).ToContainTextAsync("Page 1");
        Assert.Equal(first, await Keys(page));
        await pager.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await pager.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Assertions.Expect(pager).ToContainTextAsync("Page 3");
        await pager.GetByRole(AriaRole.Link, new() { Name = "First page" }).ClickAsync();
        await Assertions.Expect(pager).ToContainTextAsync("Page 1");
        Assert.Equal(first, await Keys(page));
        Assert.DoesNotContain("cursor=", page.Url);

        // The credit ledger (50 a page) pages the same way.
        for (var i = 0; i < 55; i++)
        {
            using var grant = await Host.Operator.PostAsJsonAsync($"/admin/v1/accounts/{account.AccountId}/credits", new { amount = i + 1, reason = $"grant {i}" }, ct);
            Assert.True(grant.IsSuccessStatusCode, await grant.Content.ReadAsStringAsync(ct));
        }
        await page.GotoAsync("/console/credits");
        var newest = await page.Locator("tbody tr").AllInnerTextsAsync();
        Assert.Equal(50, newest.Count);
        await pager.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Assertions.Expect(pager).ToContainTextAsync("Page 2");
        Assert.DoesNotContain(newest[0], await page.Locator("tbody tr").AllInnerTextsAsync());
        await pager.GetByRole(AriaRole.Link, new() { Name = "Previous page" }).ClickAsync();
        await Assertions.Expect(pager).ToContainTextAsync("Page 1");
        Assert.Equal(newest, await page.Locator("tbody tr").AllInnerTextsAsync());
    }

    [Fact]
    public async Task A_refused_form_says_in_plain_words_what_to_fix_beside_each_field()
    {
        var ct = TestContext.Current.CancellationToken;
        using var account = await Host.NewAccount("Plain Words", credits: 10);
        var appId = (await account.Client.CreateApp()).Id("appId");
        var page = await SignedIn(account.ApiKey);

        // Checked on the page: every problem at once, each by its field.
        await page.GotoAsync($"/console/licenses/new?appId={appId}");
        await page.GetByLabel("Quantity").FillAsync("500");
        await page.GetByLabel("HWID slots").FillAsync("two");
        await page.GetByLabel("Expires (UTC)").FillAsync("2001-01-01T00:00");
        await page.GetByLabel("Variables (JSON object)").FillAsync("{tier");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        var alert = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(alert).ToContainTextAsync("4 things need correcting");
        await Shot(page, "license-create-plain-words");
        await ExpectFieldProblems(page, new()
        {
            ["quantity"] = "Quantity must be a whole number from 1 to 100.",
            ["maxHwidSlots"] = "HWID slots must be a whole number from 1 to 16.",
            ["expiresAt"] = "Choose a date in the future.",
            ["variables"] = """Variables must be a JSON object, such as {"tier": "pro"}.""",
        });
        Assert.Equal("two", await page.GetByLabel("HWID slots").InputValueAsync());
        Assert.Empty((await account.Client.GetFromJsonAsync<JsonElement>($"/v1/licenses?appId={appId}", ct)).GetProperty("licenses").EnumerateArray());

        // Checked by the service (the API's own checks), worded the same way.
        await page.GotoAsync("/console/api-keys");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create API key" }).ClickAsync();
        await Assertions.Expect(alert).ToContainTextAsync("2 things need correcting");
        await ExpectFieldProblems(page, new() { ["name"] = "Name is required.", ["scopes"] = "Choose at least one scope." });

        // A field whose id is not the API's member name: the webhook URL of the app page.
        await page.GotoAsync($"/console/apps/{appId}");
        await page.GetByLabel("Webhook URL").FillAsync("ftp://example.com/hook");
        await page.GetByLabel("license.created").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add webhook" }).ClickAsync();
        await Assertions.Expect(alert).ToHaveTextAsync("Webhook URL must be an https:// address, such as https://example.com/hooks.");
        await ExpectFieldProblems(page, new() { ["webhookUrl"] = "Webhook URL must be an https:// address, such as https://example.com/hooks." });

        // Signing in with something that is not a key.
        var visitor = await _browser.NewPageAsync(Host.BaseAddress);
        await visitor.GotoAsync("/console/sign-in");
        await visitor.GetByLabel("API key").FillAsync("not-a-key");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(visitor.GetByRole(AriaRole.Alert)).ToHaveTextAsync("This is not an API key: API keys start with af_live_.");
    }

    // Each field (a group of boxes: its fieldset) is marked invalid and described by its sentence, which the alert lists too; no API wording is left on the page.
    private static async Task ExpectFieldProblems(IPage page, Dictionary<string, string> problems)
    {
        foreach (var (id, text) in problems)
        {
            var field = page.Locator($"#{id}");
            if (await field.EvaluateAsync<string>("e => e.tagName") == "FIELDSET") await Assertions.Expect(field).ToHaveClassAsync(new Regex(@"\binvalid\b"));
            else await Assertions.Expect(field).ToHaveAttributeAsync("aria-invalid", "true");
            await Assertions.Expect(field).ToHaveAttributeAsync("aria-describedby", new Regex($"(^| ){id}-problem( |$)"));
            await Assertions.Expect(page.Locator($"#{id}-problem")).ToHaveTextAsync(text);
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(text);
        }
        var shown = await page.Locator("main").InnerTextAsync();
        Assert.DoesNotMatch(new Regex(@"\b[a-z][A-Za-z]*(\[\d+\])?: (required|must|not|at most|at least)"), shown);
        Assert.DoesNotContain("Invalid request", shown);
    }

    private static async Task<List<string>> Keys(IPage page) => [.. await page.Locator("tbody td.key a").AllTextContentsAsync()];

    private async Task<IPage> SignedIn(string apiKey, bool javaScript = true)
    {
        var page = javaScript ? await _browser.NewPageAsync(Host.BaseAddress) : await NoScriptPage();
        await page.GotoAsync("/console/sign-in");
        await page.GetByLabel("API key").FillAsync(apiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        return page;
    }

    private async Task<IPage> NoScriptPage()
    {
        var context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.BaseAddress.ToString().TrimEnd('/'),
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
            JavaScriptEnabled = false,
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleBrowser.ScreenshotDirectory, name + ".png"), FullPage = true });
}
