using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace OrleansLicensing.Server.Developer.Webhooks;

/// <summary>
/// Webhooks of docs/developer-api.md §4.4, under an app. Scopes: reads need <c>read:webhooks</c>; create,
/// update, delete, test and retry <c>write:webhooks</c>. The rules are in <see cref="WebhookService"/>,
/// shared with the web console.
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/apps/{appId}/webhooks"), Produces("application/json")]
public sealed class WebhooksController(WebhookService webhooks) : ControllerBase
{
    private ApiCaller Caller => HttpContext.ApiCaller();

    /// <summary>Registers a webhook (at most 5 per app); its secret is shown only in this answer.</summary>
    [HttpPost(Name = "createWebhook"), RequireScope(DeveloperScopes.WriteWebhooks)]
    [ProducesResponseType<WebhookResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create(string appId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateWebhookRequest? body)
    {
        var webhook = await webhooks.CreateAsync(Caller, appId, body, HttpContext.RequestAborted);
        return Created($"/v1/apps/{appId}/webhooks/{webhook.WebhookId}", webhook);
    }

    /// <summary>The app's webhooks, oldest first, without secrets (cursor pagination; at most 5 per app, so one page at the default limit).</summary>
    [HttpGet(Name = "listWebhooks"), RequireScope(DeveloperScopes.ReadWebhooks)]
    public Task<WebhookListResponse> List(string appId, [FromQuery] string? limit, [FromQuery] string? cursor) => webhooks.ListAsync(Caller, appId, limit, cursor);

    /// <summary>One webhook, without its secret.</summary>
    [HttpGet("{webhookId}", Name = "getWebhook"), RequireScope(DeveloperScopes.ReadWebhooks)]
    public Task<WebhookResponse> Get(string appId, string webhookId) => webhooks.GetAsync(Caller, appId, webhookId);

    /// <summary>Partial update of url, events and enabled.</summary>
    [HttpPut("{webhookId}", Name = "updateWebhook"), RequireScope(DeveloperScopes.WriteWebhooks)]
    public Task<WebhookResponse> Update(string appId, string webhookId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] UpdateWebhookRequest? body) =>
        webhooks.UpdateAsync(Caller, appId, webhookId, body, HttpContext.RequestAborted);

    /// <summary>Removes the webhook; deliveries still pending for it fail when they come due.</summary>
    [HttpDelete("{webhookId}", Name = "deleteWebhook"), RequireScope(DeveloperScopes.WriteWebhooks)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(string appId, string webhookId)
    {
        await webhooks.DeleteAsync(Caller, appId, webhookId);
        return NoContent();
    }

    /// <summary>
    /// Sends a <c>test.ping</c> now (also to a disabled webhook) and answers with the receiver's status.
    /// The ping is recorded in the delivery log; it is not retried automatically.
    /// </summary>
    [HttpPost("{webhookId}/test", Name = "testWebhook"), RequireScope(DeveloperScopes.WriteWebhooks)]
    public Task<SendResponse> Test(string appId, string webhookId) => webhooks.TestAsync(Caller, appId, webhookId, HttpContext.RequestAborted);

    /// <summary>The webhook's deliveries, newest first (cursor pagination).</summary>
    [HttpGet("{webhookId}/deliveries", Name = "listWebhookDeliveries"), RequireScope(DeveloperScopes.ReadWebhooks)]
    public Task<DeliveryListResponse> Deliveries(string appId, string webhookId, [FromQuery] string? limit, [FromQuery] string? cursor) =>
        webhooks.DeliveriesAsync(Caller, appId, webhookId, limit, cursor, HttpContext.RequestAborted);

    /// <summary>
    /// Re-sends a delivery now, whatever its status: one attempt with the same event id and body,
    /// counted in <c>attempts</c>. 2xx marks it delivered; a failure leaves its status as it was
    /// (a pending delivery keeps its automatic schedule, a failed one stays failed).
    /// </summary>
    [HttpPost("{webhookId}/deliveries/{deliveryId}/retry", Name = "retryWebhookDelivery"), RequireScope(DeveloperScopes.WriteWebhooks)]
    public Task<SendResponse> Retry(string appId, string webhookId, string deliveryId) =>
        webhooks.RetryAsync(Caller, appId, webhookId, deliveryId, HttpContext.RequestAborted);
}
