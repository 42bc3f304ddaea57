using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.WebConsole.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// The console driven by a real browser against a real server (SQLite, HTTP), as a user would:
/// labels, buttons and what the page says; effects checked on <c>/auth/*</c> and the APIs.
/// </summary>
[Collection(DeveloperRoutesCollection.Name)]
public sealed class ConsoleBrowserTests(DeveloperRoutesServer server) : DeveloperRoutesSpec(server.Host), IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync();

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    [Fact]
    public async Task Vendor_signs_in_creates_an_app_and_a_license_finds_it_revokes_it_and_validate_answers_revoked()
    {
        using var account = await Host.NewAccount("Acme Tools", credits: 1_000);
        var page = await _browser.NewPageAsync(Host.BaseAddress);

        await page.GotoAsync("/");
        Assert.EndsWith("/console/sign-in?returnUrl=%2Fconsole", page.Url);
        await Shot(page, "sign-in");
        await page.GetByLabel("API key").FillAsync(account.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Shot(page, "overview");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        await Assertions.Expect(Balance(page)).ToHaveTextAsync("1,000");

        // Apps: create; the secret is shown once.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Apps" }).ClickAsync();
        await page.GetByLabel("App name").FillAsync("Acme Editor");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create app" }).ClickAsync();
        var secret = (await page.Locator("#app-secret").TextContentAsync())!.Trim();
        var appId = (await page.Locator("#app-id").TextContentAsync())!.Trim();
        Assert.False(string.IsNullOrEmpty(secret));
        await Shot(page, "app-created");
        await page.GotoAsync("/console/apps");
        Assert.DoesNotContain(secret, await page.ContentAsync());
        Assert.Contains("Acme Editor", await page.ContentAsync());

        // Licenses: create three with a label, variables and two slots.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Licenses" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Create licenses" }).ClickAsync();
        await page.GetByLabel("Quantity").FillAsync("3");
        await page.GetByLabel("HWID slots").FillAsync("2");
        await page.GetByLabel("Label").FillAsync("Northwind Traders");
        await page.GetByLabel("Variables (JSON object)").FillAsync("""{"tier": "pro"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("3 licenses created")).ToBeVisibleAsync();
        var keys = (await page.GetByLabel("Created license keys").InputValueAsync()).Split('\n');
        Assert.Equal(3, keys.Length);
        Assert.All(keys, k => Assert.Matches(DeveloperAccounts.LicenseKeyPattern, k));
        // The form starts over for the next batch.
        Assert.Equal("", await page.GetByLabel("Label").InputValueAsync());
        Assert.Equal("1", await page.GetByLabel("Quantity").InputValueAsync());

        // Find it by label, open it.
        await page.GotoAsync("/console/licenses");
        await page.GetByLabel("Label starts with").FillAsync("Northwind");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row)).ToHaveCountAsync(4);
        await Shot(page, "licenses");
        await page.GetByRole(AriaRole.Link, new() { Name = keys[0] }).ClickAsync();
        await Assertions.Expect(page.GetByText("Northwind Traders")).ToBeVisibleAsync();

        // A device validates; its HWID shows; Reset HWIDs (confirmed) releases it.
        var app = await AppFromApi(account, appId, secret);
        await ValidatedPayload(app, keys[0], "hwid-laptop");
        await page.GotoAsync($"/console/licenses/{keys[0]}");
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "hwid-laptop" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset HWIDs" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, reset HWIDs" }).ClickAsync();
        await Assertions.Expect(page.GetByText("HWIDs reset")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("No device has validated this license yet.")).ToBeVisibleAsync();

        // Revoke (confirmed): validate answers revoked; Reactivate brings it back.
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Shot(page, "license-confirm-revoke");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, revoke" }).ClickAsync();
        await Assertions.Expect(page.GetByText("License revoked")).ToBeVisibleAsync();
        AssertFailure(await Validate(app, keys[0], "hwid-laptop"), "revoked", FailureMode.Always200, 403);
        // Back returns to the confirmation's address, which no longer asks.
        await page.GoBackAsync();
        await Assertions.Expect(page.GetByText("This license is already revoked.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Yes, revoke" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Reactivate" }).ClickAsync();
        await Assertions.Expect(page.GetByText("License reactivated.")).ToBeVisibleAsync();

        // Extend refuses a past date (it would expire the license at once) and changes nothing.
        await page.GetByLabel("New expiry (UTC, empty = lifetime)").FillAsync("2001-01-01T00:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Extend" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Choose a date in the future.");
        await Assertions.Expect(page.GetByText("never (lifetime)")).ToBeVisibleAsync();
        await ValidatedPayload(app, keys[0], "hwid-laptop", ip: "203.0.113.77");

        // Logs: the revoked answer is there, filtered by result and license; the IP filter finds the one validate from that address.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Logs" }).ClickAsync();
        await page.GetByLabel("Result").SelectOptionAsync("revoked");
        await page.GetByLabel("License key").FillAsync(keys[0]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        // Polls the address only: waiting for the page's load event as well timed out once on a busy CI machine.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("result=revoked"), new() { Timeout = 60_000 });
        var filtered = page.Url;
        await Eventually.True(async () =>
        {
            await page.GotoAsync(filtered);
            return await page.GetByRole(AriaRole.Row).CountAsync() == 2;
        }, Patience, () => Task.FromResult("the revoked validate never appeared in the log"));
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "revoked" })).ToBeVisibleAsync();
        await Eventually.True(async () =>
        {
            await page.GotoAsync($"/console/logs?appId={appId}&ip=203.0.113.77");
            return await page.GetByRole(AriaRole.Row).CountAsync() == 2;
        }, Patience, () => Task.FromResult("the validate from 203.0.113.77 never appeared in the log"));
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "success" })).ToBeVisibleAsync();
        await Shot(page, "logs");
        await page.GotoAsync($"/console/licenses/{keys[0]}");

        // Extend: a past date is refused with the API's words, the typed value kept.
        await page.GetByLabel("New expiry (UTC, empty = lifetime)").FillAsync("2030-01-31T12:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Extend" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Expiry changed.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("2030-01-31 12:00 UTC")).ToBeVisibleAsync();
        await Shot(page, "license");

        // Delete (confirmed): validate answers invalid_key.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete" }).ClickAsync();
        await Assertions.Expect(page.GetByText("License deleted")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = keys[0] })).ToHaveCountAsync(0);
        AssertFailure(await Validate(app, keys[0], "hwid-laptop"), "invalid_key", FailureMode.Always200, 401);

        // Overview: two licenses left active, the revoked and invalid_key failures counted by code and listed, the credits the validates used.
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
        await Assertions.Expect(page.Locator(".stat").Filter(new() { HasText = "Active licenses" }).Locator(".value")).ToHaveTextAsync("2");
        await Eventually.True(async () =>
        {
            await page.GotoAsync("/console");
            return await page.GetByRole(AriaRole.Link, new() { Name = "invalid_key" }).CountAsync() == 1;
        }, Patience, () => Task.FromResult("the invalid_key failure never reached the overview"));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "revoked" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Credits used per day" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = keys[0] }).First).ToBeVisibleAsync();
        await Shot(page, "overview-activity");

        // Sign out: the console asks for a key again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByText("You are signed out.")).ToBeVisibleAsync();
        await page.GotoAsync("/console/licenses");
        await Assertions.Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task App_settings_variables_and_security_lists_change_through_the_app_page()
    {
        using var account = await Host.NewAccount("Settings Co", credits: 100);
        var created = await account.Client.CreateApp(new { name = "Before" });
        var app = new TestApp(created.Id("appId"), created.Id("appSecret"), SigningScheme.Ed25519, created.Id("publicKey"), created.Id("keyId"), account.AccountId);
        var key = (await account.Client.CreateLicense(app.AppId)).Id("licenseKey");
        var page = await SignedIn(account.ApiKey);
        await page.GotoAsync($"/console/apps/{app.AppId}");

        await page.GetByLabel("App name").FillAsync("After");
        await page.GetByLabel("Daily credit cap").FillAsync("500");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Settings saved.")).ToBeVisibleAsync();
        var stored = await account.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/apps/{app.AppId}", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(("After", 500L), (stored.GetProperty("name").GetString(), stored.GetProperty("dailyCreditCap").GetInt64()));

        await page.GetByLabel("App variables (JSON object)").FillAsync("""{"latestVersion": "2.1"}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save variables" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Variables saved.")).ToBeVisibleAsync();
        Assert.Equal("2.1", (await account.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/apps/{app.AppId}/variables", cancellationToken: TestContext.Current.CancellationToken)).GetProperty("latestVersion").GetString());

        // A malformed IP is refused in plain words and the typed value kept.
        await page.GetByLabel("Kind").SelectOptionAsync("ip");
        await page.GetByLabel("Entry", new() { Exact = true }).FillAsync("999.1.1.1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add entry" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Enter an IP address (203.0.113.7) or a CIDR range (10.0.0.0/8).");
        Assert.Equal("999.1.1.1", await page.GetByLabel("Entry", new() { Exact = true }).InputValueAsync());

        await page.GetByLabel("Kind").SelectOptionAsync("hwid");
        await page.GetByLabel("Entry", new() { Exact = true }).FillAsync("hwid-banned");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add entry" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Entry added.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "HWID block list" })).ToContainTextAsync("hwid-banned");
        await Shot(page, "app");
        AssertFailure(await Validate(app, key, "hwid-banned"), "blocked", FailureMode.Always200, 403);

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove hwid-banned from the HWID block list" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Entry removed.")).ToBeVisibleAsync();
        await ValidatedPayload(app, key, "hwid-banned");
    }

    [Fact]
    public async Task A_refused_form_says_what_to_fix_and_keeps_what_was_typed()
    {
        using var account = await Host.NewAccount("Typo Ltd", credits: 10);
        await account.Client.CreateApp();
        var page = await SignedIn(account.ApiKey);

        await page.GotoAsync("/console/licenses/new");
        await page.GetByLabel("Quantity").FillAsync("500");
        await page.GetByLabel("Label").FillAsync("Keep me");
        await page.GetByLabel("Variables (JSON object)").FillAsync("""{"seats": 3}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create", Exact = true }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Quantity must be a whole number from 1 to 100.");
        Assert.Equal("500", await page.GetByLabel("Quantity").InputValueAsync());
        Assert.Equal("Keep me", await page.GetByLabel("Label").InputValueAsync());
        Assert.Equal("""{"seats": 3}""", await page.GetByLabel("Variables (JSON object)").InputValueAsync());
        await Shot(page, "license-create-refused");
    }

    [Fact]
    public async Task Api_keys_are_created_with_scopes_shown_once_and_a_read_only_key_sees_no_write_buttons()
    {
        using var account = await Host.NewAccount("Scoped Co", credits: 10);
        var created = await account.Client.CreateApp();
        var license = (await account.Client.CreateLicense(created.Id("appId"))).Id("licenseKey");
        var page = await SignedIn(account.ApiKey);

        await page.GotoAsync("/console/api-keys");
        await page.GetByLabel("Key name").FillAsync("support desk");
        await page.GetByLabel("read:licenses").CheckAsync();
        await page.GetByLabel("read:apps").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create API key" }).ClickAsync();
        var readOnlyKey = (await page.Locator("#new-api-key").TextContentAsync())!.Trim();
        Assert.StartsWith("af_live_", readOnlyKey);
        await Shot(page, "api-keys");
        await page.GotoAsync("/console/api-keys");
        Assert.DoesNotContain(readOnlyKey, await page.ContentAsync());

        var reader = await SignedIn(readOnlyKey);
        var nav = reader.GetByRole(AriaRole.Navigation);
        await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Licenses" })).ToBeVisibleAsync();
        await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = "API keys" })).ToHaveCountAsync(0);
        await reader.GotoAsync($"/console/licenses/{license}");
        await Assertions.Expect(reader.GetByText("active", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(reader.GetByRole(AriaRole.Button, new() { Name = "Revoke" })).ToHaveCountAsync(0);
        await reader.GotoAsync("/console/licenses/new");
        await Assertions.Expect(reader.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Your API key does not have the scope write:licenses, which this needs.");

        // Revoking the key from the first session ends the second one at its next request.
        var keyId = (await account.Client.GetFromJsonAsync<System.Text.Json.JsonElement>("/v1/api-keys", cancellationToken: TestContext.Current.CancellationToken)).GetProperty("apiKeys")
            .EnumerateArray().Single(k => k.GetProperty("name").GetString() == "support desk").GetProperty("apiKeyId").GetString()!;
        await page.GotoAsync($"/console/api-keys?revoke={keyId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, revoke" }).ClickAsync();
        await Assertions.Expect(page.GetByText("API key revoked")).ToBeVisibleAsync();
        await reader.GotoAsync("/console/licenses");
        await Assertions.Expect(reader.GetByText("The API key of your session was revoked or has expired.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Operator_creates_an_account_grants_credits_and_suspends_it_which_ends_the_vendor_session()
    {
        var vendorKey = "";
        var page = await _browser.NewPageAsync(Host.BaseAddress);
        await page.GotoAsync("/console/operator");
        await page.GetByLabel("Operator token").FillAsync(OrleansLicensing.Testing.LicensingTestHost.OperatorToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as operator" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Accounts" })).ToBeVisibleAsync();

        await page.GetByLabel("Account name").FillAsync("Fabrikam");
        await page.GetByLabel("Starting credits").FillAsync("50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        vendorKey = (await page.Locator("#first-api-key").TextContentAsync())!.Trim();
        Assert.StartsWith("af_live_", vendorKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the account" }).ClickAsync();
        Assert.DoesNotContain(vendorKey, await page.ContentAsync());

        await page.GetByLabel("Amount").FillAsync("250");
        await page.GetByLabel("Reason", new() { Exact = true }).FillAsync("annual plan");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Credits changed.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("300", new() { Exact = true })).ToBeVisibleAsync();
        await Shot(page, "operator-account");

        var vendor = await SignedIn(vendorKey);
        await Assertions.Expect(Balance(vendor)).ToHaveTextAsync("300");

        await page.GetByLabel("Reason (optional)").FillAsync("unpaid invoice");
        await page.GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Account suspended")).ToBeVisibleAsync();
        await vendor.GotoAsync("/console");
        await Shot(vendor, "vendor-suspended");
        await Assertions.Expect(vendor.GetByText("The account is suspended.")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Reactivate" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Account reactivated.")).ToBeVisibleAsync();

        // The cluster page lists this silo as active, and grain activations by type.
        await page.GetByRole(AriaRole.Link, new() { Name = "Cluster" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Silos" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tbody").First.GetByText("active", new() { Exact = true })).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "DeveloperAccountGrain" })).ToBeVisibleAsync();
        await Shot(page, "operator-cluster");

        // The operator's session does not open vendor pages, and the vendor's does not open the operator's:
        // each is sent back to its own start page.
        await page.GotoAsync("/console/licenses");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Accounts" })).ToBeVisibleAsync();
        Assert.EndsWith("/console/operator", page.Url);
        var otherVendor = await SignedIn((await Host.NewAccount("Other", credits: 1)).ApiKey);
        await otherVendor.GotoAsync("/console/operator");
        await Assertions.Expect(otherVendor.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_console_fits_a_phone_screen()
    {
        using var account = await Host.NewAccount("Pocket GmbH", credits: 10);
        var created = await account.Client.CreateApp();
        var appId = created.Id("appId");
        var key = (await account.Client.CreateLicense(appId)).Id("licenseKey");
        using (var mint = await account.Client.PostAsJsonAsync($"/v1/licenses/{key}/offline-files", new { hwids = new[] { "phone-machine" }, expiresAt = (string?)null }, TestContext.Current.CancellationToken))
        {
            Assert.True(mint.IsSuccessStatusCode, await mint.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        var page = await _browser.NewPageAsync(Host.BaseAddress, phone: true);
        await page.GotoAsync("/console/sign-in");
        await page.GetByLabel("API key").FillAsync(account.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        // Nothing but the tables scroll sideways (pages whose table has a visually hidden header too).
        foreach (var (path, shot) in new[]
                 {
                     ("/console/licenses", "licenses-phone"), ("/console/apps", "apps-phone"), ("/console/api-keys", "api-keys-phone"),
                     ($"/console/licenses/{key}/offline-files", "offline-files-phone"), ($"/console/apps/{appId}/keys", "app-keys-phone"),
                 })
        {
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator("table").First).ToBeVisibleAsync();
            // Against the layout viewport: a phone zooms out to show a page wider than the screen, which widens innerWidth.
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{path} is {overflow}px wider than the phone screen");
            await Shot(page, shot);
        }
    }

    [Fact]
    public async Task A_narrow_key_lands_on_the_first_page_it_may_open_and_the_nav_offers_only_those()
    {
        using var account = await Host.NewAccount("Narrow Keys", credits: 10);
        foreach (var (scopes, start, heading, shown) in new (string[], string, string, string[])[]
                 {
                     (["read:licenses"], "/console/licenses", "Licenses", ["Licenses"]),
                     (["read:apps", "read:logs"], "/console/apps", "Apps", ["Apps", "Logs"]),
                     (["write:licenses"], "/console/licenses", "Licenses", ["Licenses"]),
                 })
        {
            var page = await SignedIn(await Host.RegisterKey(account.AccountId, scopes));
            await Assertions.Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(start) + "$"));
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
            var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link);
            Assert.Equal(shown, await nav.AllTextContentsAsync());
            Assert.Equal(start, await page.GetByRole(AriaRole.Link, new() { Name = "OrleansLicensing" }).GetAttributeAsync("href"));
        }
    }

    [Fact]
    public async Task A_failure_code_on_the_overview_opens_the_matching_entries_of_its_app()
    {
        using var account = await Host.NewAccount("Two Apps", credits: 100);
        var first = await account.Client.CreateApp(new { name = "First app" });
        var second = await account.Client.CreateApp(new { name = "Second app" });
        var firstApp = new TestApp(first.Id("appId"), first.Id("appSecret"), SigningScheme.Ed25519, first.Id("publicKey"), first.Id("keyId"), account.AccountId);
        var secondApp = new TestApp(second.Id("appId"), second.Id("appSecret"), SigningScheme.Ed25519, second.Id("publicKey"), second.Id("keyId"), account.AccountId);
        var revokedKey = (await account.Client.CreateLicense(firstApp.AppId)).Id("licenseKey");
        using (var revoke = await account.Client.PutAsJsonAsync($"/v1/licenses/{revokedKey}", new { action = "revoke" }, TestContext.Current.CancellationToken))
        {
            Assert.True(revoke.IsSuccessStatusCode);
        }
        AssertFailure(await Validate(firstApp, revokedKey, "hwid-1"), "revoked", FailureMode.Always200, 403);
        AssertFailure(await Validate(secondApp, "AAAA-BBBB-CCCC-DDDD", "hwid-2"), "invalid_key", FailureMode.Always200, 401);
        var page = await SignedIn(account.ApiKey);

        foreach (var (code, app, key) in new[] { ("revoked", "First app", revokedKey), ("invalid_key", "Second app", "AAAA-BBBB-CCCC-DDDD") })
        {
            await Eventually.True(async () =>
            {
                await page.GotoAsync("/console");
                return await page.GetByRole(AriaRole.Link, new() { Name = $"{code} of {app}" }).CountAsync() == 1;
            }, Patience, () => Task.FromResult($"the {code} failure of {app} never reached the overview"));
            await page.GetByRole(AriaRole.Link, new() { Name = $"{code} of {app}" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Logs" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByLabel("App", new() { Exact = true })).ToHaveValueAsync(app == "First app" ? firstApp.AppId : secondApp.AppId);
            await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = code, Exact = true })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = key })).ToBeVisibleAsync();
        }
    }

    private static ILocator Balance(IPage page) => page.Locator(".stat").Filter(new() { HasText = "Credit balance" }).Locator(".value");

    private async Task<IPage> SignedIn(string apiKey)
    {
        var page = await _browser.NewPageAsync(Host.BaseAddress);
        await page.GotoAsync("/console/sign-in");
        await page.GetByLabel("API key").FillAsync(apiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        return page;
    }

    private async Task<TestApp> AppFromApi(DeveloperAccount account, string appId, string secret)
    {
        var app = await account.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/apps/{appId}");
        return new TestApp(appId, secret, SigningScheme.Ed25519, app.GetProperty("publicKey").GetString()!, app.GetProperty("keyId").GetString()!, account.AccountId);
    }

    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleBrowser.ScreenshotDirectory, name + ".png"), FullPage = true });
}
