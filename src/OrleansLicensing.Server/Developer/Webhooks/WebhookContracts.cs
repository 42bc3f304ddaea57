using System.Text.Json.Serialization;
using OrleansLicensing.Webhooks;

namespace OrleansLicensing.Server.Developer.Webhooks;

/// <summary>Body of <c>POST /v1/apps/{appId}/webhooks</c>. Fields are nullable so that validation can name what is missing.</summary>
/// <param name="Url">Where to POST events: <c>https://</c> (or <c>http://</c> when private targets are allowed).</param>
/// <param name="Events">The events to receive (names of docs/developer-api.md §4.4); at least one.</param>
/// <param name="Enabled">Whether to deliver (default <c>true</c>).</param>
public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string?>? Events, bool? Enabled);

/// <summary>Body of <c>PUT /v1/apps/{appId}/webhooks/{webhookId}</c>: a partial update; absent members stay (<c>null</c> is refused).</summary>
public sealed record UpdateWebhookRequest(string? Url, IReadOnlyList<string?>? Events, bool? Enabled);

/// <summary>A webhook on the wire. <c>secret</c> is only written by create.</summary>
public sealed record WebhookResponse(
    string WebhookId,
    string AppId,
    string Url,
    IReadOnlyList<string> Events,
    bool Enabled,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static WebhookResponse From(WebhookSnapshot webhook, string? secret = null) =>
        new(webhook.WebhookId, webhook.AppId, webhook.Url, webhook.Events, webhook.Enabled, secret, webhook.CreatedAt, webhook.UpdatedAt);
}

/// <summary><c>GET /v1/apps/{appId}/webhooks</c>: oldest first; at most 5 per app, so one page unless <c>limit</c> is smaller.</summary>
public sealed record WebhookListResponse(IReadOnlyList<WebhookResponse> Webhooks, string? Cursor);

/// <summary>One delivery of the log: <c>at</c> is when it was created (the event fanned out, or the ping sent).</summary>
public sealed record DeliveryResponse(
    string DeliveryId,
    string WebhookId,
    string EventId,
    string Event,
    DateTimeOffset At,
    int Attempts,
    DeliveryStatus Status,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt)
{
    public static DeliveryResponse From(WebhookDelivery d) => new(
        d.DeliveryId, d.WebhookId, d.EventId, d.EventType, d.CreatedAt, d.Attempts, d.Status, d.LastStatusCode, d.LastError,
        d.LastAttemptAt, d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null);
}

/// <summary><c>GET …/deliveries</c>: newest first.</summary>
public sealed record DeliveryListResponse(IReadOnlyList<DeliveryResponse> Deliveries, string? Cursor);

/// <summary>
/// The answer of <c>POST …/test</c> and <c>POST …/deliveries/{deliveryId}/retry</c>: whether the receiver
/// answered 2xx, its status code (<c>null</c> when it did not answer), why it failed, and the delivery.
/// </summary>
public sealed record SendResponse(bool Delivered, int? StatusCode, string? Error, DeliveryResponse Delivery);
