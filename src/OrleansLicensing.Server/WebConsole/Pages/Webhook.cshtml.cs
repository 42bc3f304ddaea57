using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Webhooks;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>A webhook's delivery log, with Test (a <c>test.ping</c> now) and Retry of one delivery (<see cref="WebhookService"/>).</summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadWebhooks)]
public sealed class WebhookModel(WebhookService webhooks) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string AppId { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string WebhookId { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public WebhookResponse? Webhook { get; private set; }
    public DeliveryListResponse? Deliveries { get; private set; }

    /// <summary>The answer of the test or retry just sent.</summary>
    public SendResponse? Sent { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        await LoadAsync();
        return Page();
    });

    [ConsoleScope(DeveloperScopes.WriteWebhooks)]
    public Task<IActionResult> OnPostTestAsync() => AttemptAsync(async () =>
    {
        Sent = await webhooks.TestAsync(Caller, AppId, WebhookId, HttpContext.RequestAborted);
        await LoadAsync();
        return Page();
    }, LoadAsync);

    [ConsoleScope(DeveloperScopes.WriteWebhooks)]
    public Task<IActionResult> OnPostRetryAsync(string deliveryId) => AttemptAsync(async () =>
    {
        Sent = await webhooks.RetryAsync(Caller, AppId, WebhookId, deliveryId, HttpContext.RequestAborted);
        await LoadAsync();
        return Page();
    }, LoadAsync);

    private async Task LoadAsync()
    {
        Webhook = await webhooks.GetAsync(Caller, AppId, WebhookId);
        Deliveries = await webhooks.DeliveriesAsync(Caller, AppId, WebhookId, "50", string.IsNullOrEmpty(Cursor) ? null : Cursor, HttpContext.RequestAborted);
    }
}
