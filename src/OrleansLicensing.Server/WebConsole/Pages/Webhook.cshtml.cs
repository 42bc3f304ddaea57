using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Webhooks;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// A webhook (<see cref="WebhookService"/>): its delivery log, Test (a <c>test.ping</c> now), Retry of one
/// delivery, changing its URL, events and whether it is enabled, and deleting it (confirmed). Changes
/// answer with a redirect, so a reload repeats nothing.
/// </summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadWebhooks)]
public sealed class WebhookModel(WebhookService webhooks) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string AppId { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string WebhookId { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Back { get; set; }

    /// <summary><c>delete</c> while the deletion awaits confirmation.</summary>
    [BindProperty(SupportsGet = true)] public string? Confirm { get; set; }

    /// <summary>The change just saved (after the redirect).</summary>
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }

    [BindProperty] public string? WebhookUrl { get; set; }
    [BindProperty] public List<string> WebhookEvents { get; set; } = [];
    [BindProperty] public bool WebhookEnabled { get; set; }

    public WebhookResponse? Webhook { get; private set; }
    public DeliveryListResponse? Deliveries { get; private set; }

    /// <summary>The answer of the test or retry just sent.</summary>
    public SendResponse? Sent { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        await LoadAsync();
        (WebhookUrl, WebhookEvents, WebhookEnabled) = (Webhook!.Url, [.. Webhook.Events], Webhook.Enabled);
        return Page();
    });

    // The form's fields whose id is not the API member they send.
    private static readonly Dictionary<string, string> EditedFields = new() { ["url"] = "webhookUrl", ["events"] = "webhookEvents" };

    [ConsoleScope(DeveloperScopes.WriteWebhooks)]
    public Task<IActionResult> OnPostUpdateAsync() => AttemptAsync(async () =>
    {
        await webhooks.UpdateAsync(Caller, AppId, WebhookId, new UpdateWebhookRequest(WebhookUrl, [.. WebhookEvents], WebhookEnabled), HttpContext.RequestAborted);
        return Redirect($"{Self}?done=saved");
    }, LoadAsync, EditedFields);

    [ConsoleScope(DeveloperScopes.WriteWebhooks)]
    public Task<IActionResult> OnPostDeleteAsync() => AttemptAsync(async () =>
    {
        await webhooks.DeleteAsync(Caller, AppId, WebhookId);
        return Redirect($"/console/apps/{Uri.EscapeDataString(AppId)}?done=webhook-deleted");
    }, LoadAsync);

    /// <summary>The delivery log's paging links.</summary>
    public ConsolePager Pager => new(Self, [], Cursor, Back, Deliveries?.Cursor);

    /// <summary>This page's path.</summary>
    public string Self => $"/console/apps/{Uri.EscapeDataString(AppId)}/webhooks/{Uri.EscapeDataString(WebhookId)}";

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
