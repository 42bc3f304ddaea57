using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.Http;
using OrleansLicensing.Server.Operator;
using OrleansLicensing.Server.WebConsole.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>The operator's account search (with keyset paging) and the cluster's request and error rate charts.</summary>
[Collection(DeveloperRoutesCollection.Name)]
public sealed partial class ConsoleOperatorBrowserTests(DeveloperRoutesServer server) : DeveloperRoutesSpec(server.Host), IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync();

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    [Fact]
    public async Task Operator_searches_accounts_by_name_and_email_and_opens_one()
    {
        var tag = "Tag" + Guid.NewGuid().ToString("N")[..10];
        var named = await NewAccount($"Northwind {tag} Traders", null);
        await NewAccount($"Contoso {tag}", null);
        await NewAccount("Fabrikam", $"billing@{tag.ToLowerInvariant()}.example");
        await NewAccount("Unrelated", null);
        var page = await OperatorPage();

        await page.GetByLabel("Name, email or account id").FillAsync(tag.ToUpperInvariant());
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        var rows = page.GetByRole(AriaRole.Table).GetByRole(AriaRole.Row);
        await Assertions.Expect(rows).ToHaveCountAsync(4);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Fabrikam" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Unrelated" })).ToHaveCountAsync(0);
        Assert.Equal(tag.ToUpperInvariant(), await page.GetByLabel("Name, email or account id").InputValueAsync());
        await Shot(page, "operator-search");

        await page.GetByLabel("Name, email or account id").FillAsync(named);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = $"Northwind {tag} Traders" }).ClickAsync();
        await Assertions.Expect(page.GetByText(named).First).ToBeVisibleAsync();

        await page.GotoAsync($"/console/operator?q={new string('x', 251)}");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Search text can be at most 250 characters long.");
    }

    [Fact]
    public async Task Account_search_pages_with_a_keyset_cursor_and_refuses_bad_input()
    {
        var tag = "pg" + Guid.NewGuid().ToString("N")[..10];
        var created = new List<string>();
        for (var i = 0; i < 3; i++) created.Add(await NewAccount($"Paged {tag} {i}", null));
        created.Add(await NewAccount("By email", $"{tag}@example.test"));
        var search = Host.Services.GetRequiredService<AccountSearch>();

        var found = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await search.SearchAsync(tag, "2", cursor);
            Assert.True(page.Accounts.Count <= 2);
            Assert.True(page.Scanned <= AccountSearch.ScanPerPage);
            found.AddRange(page.Accounts.Select(a => a.AccountId));
            cursor = page.Cursor;
            pages++;
        }
        while (cursor is not null && pages < 100);
        Assert.Null(cursor);
        Assert.Equal(created, found);
        Assert.True(pages >= 2);

        Assert.Equal(created[..1], (await search.SearchAsync(created[0], "10", null)).Accounts.Select(a => a.AccountId));
        Assert.StartsWith("q: required", Assert.Single((await Assert.ThrowsAsync<ApiException>(() => search.SearchAsync("  ", null, null))).Details!));
        Assert.Equal(400, (await Assert.ThrowsAsync<ApiException>(() => search.SearchAsync(tag, null, "not-a-cursor"))).Error.Status);
        Assert.Equal(400, (await Assert.ThrowsAsync<ApiException>(() => search.SearchAsync(tag, "0", null))).Error.Status);
    }

    [Fact]
    public async Task The_cluster_page_charts_auth_requests_and_failures_per_minute()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        var before = await Totals();
        await ValidatedPayload(app, key, "hwid-1");
        await ValidatedPayload(app, key, "hwid-1");
        AssertFailure(await Validate(app, "NOPE-NOPE-NOPE-NOPE", "hwid-1"), "invalid_key", FailureMode.Always200, 401);

        // Every request is counted once, its failure too (this silo's counts are written before the page reads them).
        await Eventually.True(async () =>
        {
            var after = await Totals();
            return after.Requests - before.Requests >= 3 && after.Failures - before.Failures >= 1;
        }, Patience, async () => $"before {before}, after {await Totals()}");

        var page = await OperatorPage();
        await page.GetByRole(AriaRole.Link, new() { Name = "Cluster" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Auth requests per minute", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Failed share of auth requests per minute" })).ToBeVisibleAsync();
        var summary = await page.Locator("#traffic-summary").TextContentAsync();
        var numbers = SummaryNumbers().Match(summary!);
        Assert.True(numbers.Success, summary);
        Assert.True(long.Parse(numbers.Groups[1].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture) >= 3, summary);
        Assert.True(long.Parse(numbers.Groups[2].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture) >= 1, summary);
        await Assertions.Expect(page.Locator("svg[aria-label='Auth requests per minute'] rect")).ToHaveCountAsync(60);
        await Shot(page, "operator-cluster-traffic");
    }

    private async Task<(long Requests, long Failures)> Totals()
    {
        var minutes = await Host.Services.GetRequiredService<ClusterTraffic>().ReadAsync(60, TestContext.Current.CancellationToken);
        return (minutes.Sum(m => m.Requests), minutes.Sum(m => m.Failures));
    }

    private async Task<string> NewAccount(string name, string? email)
    {
        using var response = await Host.Operator.PostAsJsonAsync("/admin/v1/accounts", new { name, email, credits = 0 }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("accountId").GetString()!;
    }

    private async Task<IPage> OperatorPage()
    {
        var page = await _browser.NewPageAsync(Host.BaseAddress);
        await page.GotoAsync("/console/operator");
        await page.GetByLabel("Operator token").FillAsync(LicensingTestHost.OperatorToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in as operator" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Accounts" })).ToBeVisibleAsync();
        return page;
    }

    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleBrowser.ScreenshotDirectory, name + ".png"), FullPage = true });

    [GeneratedRegex(@"([\d,]+) auth requests in the last hour, ([\d,]+) failed")]
    private static partial Regex SummaryNumbers();
}
