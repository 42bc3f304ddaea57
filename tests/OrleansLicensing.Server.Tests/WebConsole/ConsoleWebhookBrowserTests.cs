using Microsoft.Playwright;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.WebConsole.given;
using OrleansLicensing.Server.Webhooks.given;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>Webhooks in the console, in a real browser: create (secret once), test, the delivery log, retry.</summary>
[Collection(WebhookServerCollection.Name)]
public sealed class ConsoleWebhookBrowserTests(WebhookServer server) : IAsyncLifetime
{
    private ConsoleBrowser _browser = null!;

    public async ValueTask InitializeAsync() => _browser = await ConsoleBrowser.LaunchAsync();

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    [Fact]
    public async Task Vendor_adds_a_webhook_sends_a_test_sees_the_delivery_log_and_retries_a_failed_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var account = await server.Host.NewAccount("Hooked Inc", credits: 10);
        var app = await account.Client.CreateApp(new { name = "Hooked app" });
        var page = await _browser.NewPageAsync(server.Host.BaseAddress);
        await page.GotoAsync("/console/sign-in");
        await page.GetByLabel("API key").FillAsync(account.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        await page.GotoAsync("/console/apps");
        await page.GetByRole(AriaRole.Link, new() { Name = "Hooked app" }).ClickAsync();
        await page.GetByLabel("Webhook URL").FillAsync(receiver.Url());
        await page.GetByLabel("license.revoked").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add webhook" }).ClickAsync();
        var secret = (await page.Locator("#webhook-secret").TextContentAsync())!.Trim();
        Assert.StartsWith("whsec_", secret);
        // Only the secret is a box of its own; the header's name stays in its sentence.
        var sentence = (await page.Locator(".secret p").Filter(new() { HasText = "X-AuthForge-Signature" }).BoundingBoxAsync())!;
        var mention = (await page.Locator(".secret p code").BoundingBoxAsync())!;
        Assert.True(mention.Width < sentence.Width / 2, $"the header's name is {mention.Width}px wide in a {sentence.Width}px sentence");
        Assert.True(mention.Height < 2 * 16, $"the header's name is {mention.Height}px high");
        await page.GotoAsync($"/console/apps/{app.Id("appId")}");
        Assert.DoesNotContain(secret, await page.ContentAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = "Deliveries" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Delivered: the receiver answered 200.");
        var ping = Assert.Single(receiver.Received);
        Assert.Equal("test.ping", ping.Event);
        Assert.True(ping.SignedWith(secret));

        receiver.Answer(500);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Not delivered: the receiver answered 500");
        await Assertions.Expect(page.GetByRole(AriaRole.Row)).ToHaveCountAsync(3);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ConsoleBrowser.ScreenshotDirectory, "webhook.png"), FullPage = true });

        receiver.Answer(200);
        await page.GetByRole(AriaRole.Button, new() { Name = "Retry" }).First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Delivered: the receiver answered 200.");
        Assert.Equal(3, receiver.Received.Count);
    }
}
