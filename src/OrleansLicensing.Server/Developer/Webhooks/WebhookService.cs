using System.Text.Json;
using OrleansLicensing.Apps;
using OrleansLicensing.Events;
using OrleansLicensing.Server.Http;
using OrleansLicensing.Server.Webhooks;
using OrleansLicensing.Webhooks;

namespace OrleansLicensing.Server.Developer.Webhooks;

/// <summary>
/// The webhook rules of docs/developer-api.md §4.4 for one caller. The body is validated before the app
/// is looked up; the app is the caller's (404 unknown, 403 another account's), then the webhook must
/// be one of that app's (404 otherwise). <c>/v1/apps/{appId}/webhooks</c> and the web console both call it.
/// </summary>
public sealed class WebhookService(IGrainFactory grains, WebhookTargetPolicy targets, SqlWebhookOutbox deliveries)
{
    private const int MaxEventsListed = 50;
    private const string CursorKind = "dlv";

    /// <summary>Registers a webhook (at most 5 per app); its secret is shown only in this answer.</summary>
    public async Task<WebhookResponse> CreateAsync(ApiCaller caller, string appId, CreateWebhookRequest? body, CancellationToken cancellationToken)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        var url = await ValidUrl(body.Url, details, missing: "required", cancellationToken);
        var events = ValidEvents(body.Events, details, missing: "required");
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        await grains.FindApp(caller, appId);
        var change = await App(appId).AddWebhook(new NewWebhook(url!, events!, body.Enabled ?? true));
        var webhook = Expect(change, appId, webhookId: null);
        return WebhookResponse.From(webhook, change.Secret);
    }

    /// <summary>The app's webhooks, oldest first, without secrets.</summary>
    /// <remarks>
    /// Cursor pagination as every list (developer-api.md §2), so <c>limit</c> and <c>cursor</c> are checked
    /// like theirs; with at most 5 webhooks per app the first page holds them all. The keyset is the
    /// creation time and the id, so a page after a deleted webhook's cursor still starts in the right place.
    /// </remarks>
    public async Task<WebhookListResponse> ListAsync(ApiCaller caller, string appId, string? limit = null, string? cursor = null)
    {
        var pageSize = Pagination.Limit(limit);
        var after = Pagination.Decode(ListCursorKind, cursor, ParseListKey);
        await grains.FindApp(caller, appId);
        var webhooks = await App(appId).GetWebhooks() ?? throw ApiException.NotFound($"App {appId} not found");
        var ordered = webhooks
            .OrderBy(w => w.CreatedAt.UtcTicks).ThenBy(w => w.WebhookId, StringComparer.Ordinal)
            .Where(w => after is not { } a || w.CreatedAt.UtcTicks > a.Ticks || (w.CreatedAt.UtcTicks == a.Ticks && string.CompareOrdinal(w.WebhookId, a.Id) > 0))
            .ToList();
        var page = ordered.Take(pageSize).ToList();
        var next = ordered.Count > pageSize ? Pagination.Encode(ListCursorKind, $"{page[^1].CreatedAt.UtcTicks}:{page[^1].WebhookId}") : null;
        return new WebhookListResponse([.. page.Select(w => WebhookResponse.From(w))], next);
    }

    private const string ListCursorKind = "wh";

    private static (long Ticks, string Id)? ParseListKey(string key)
    {
        var colon = key.IndexOf(':');
        return colon > 0 && long.TryParse(key.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks) && colon < key.Length - 1
            ? (ticks, key[(colon + 1)..])
            : null;
    }

    /// <summary>One webhook, without its secret.</summary>
    public async Task<WebhookResponse> GetAsync(ApiCaller caller, string appId, string webhookId) =>
        WebhookResponse.From(await FindWebhook(caller, appId, webhookId));

    /// <summary>Partial update of url, events and enabled.</summary>
    public async Task<WebhookResponse> UpdateAsync(ApiCaller caller, string appId, string webhookId, UpdateWebhookRequest? body, CancellationToken cancellationToken)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        var url = body.Url is null ? null : await ValidUrl(body.Url, details, missing: "must not be empty", cancellationToken);
        var events = body.Events is null ? null : ValidEvents(body.Events, details, missing: "must not be empty");
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        await FindWebhook(caller, appId, webhookId);
        var change = await App(appId).UpdateWebhook(webhookId, new WebhookUpdate(url, events, body.Enabled));
        return WebhookResponse.From(Expect(change, appId, webhookId));
    }

    /// <summary>Removes the webhook; deliveries still pending for it fail when they come due.</summary>
    public async Task DeleteAsync(ApiCaller caller, string appId, string webhookId)
    {
        await FindWebhook(caller, appId, webhookId);
        Expect(await App(appId).DeleteWebhook(webhookId), appId, webhookId);
    }

    /// <summary>
    /// Sends a <c>test.ping</c> now (also to a disabled webhook) and answers with the receiver's status.
    /// The ping is recorded in the delivery log; it is not retried automatically.
    /// </summary>
    public async Task<SendResponse> TestAsync(ApiCaller caller, string appId, string webhookId, CancellationToken cancellationToken)
    {
        await FindWebhook(caller, appId, webhookId);
        var data = JsonSerializer.Serialize(new { appId, webhookId }, JsonDefaults.Options);
        var sent = await grains.GetGrain<IWebhookOnDemandGrain>(caller.AccountId).SendTestPing(appId, webhookId, data);
        return await Answer(sent, $"Webhook {webhookId} not found", cancellationToken);
    }

    /// <summary>The webhook's deliveries, newest first (cursor pagination).</summary>
    public async Task<DeliveryListResponse> DeliveriesAsync(ApiCaller caller, string appId, string webhookId, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        var pageSize = Pagination.Limit(limit);
        var before = Pagination.Decode(CursorKind, cursor, key => long.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq) ? seq : (long?)null);
        await FindWebhook(caller, appId, webhookId);

        var page = await deliveries.ListAsync(webhookId, before, pageSize + 1, cancellationToken);
        var items = page.Take(pageSize).Where(d => d.AccountId == caller.AccountId && d.AppId == appId).Select(DeliveryResponse.From).ToList();
        var next = page.Count > pageSize ? Pagination.Encode(CursorKind, page[pageSize - 1].Seq.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        return new DeliveryListResponse(items, next);
    }

    /// <summary>
    /// Re-sends a delivery now, whatever its status: one attempt with the same event id and body,
    /// counted in <c>attempts</c>. 2xx marks it delivered; a failure leaves its status as it was
    /// (a pending delivery keeps its automatic schedule, a failed one stays failed).
    /// </summary>
    public async Task<SendResponse> RetryAsync(ApiCaller caller, string appId, string webhookId, string deliveryId, CancellationToken cancellationToken)
    {
        await FindWebhook(caller, appId, webhookId);
        var notFound = $"Delivery {deliveryId} not found";
        if (!ResourceId.IsWellFormed(deliveryId, "dlv")) throw ApiException.NotFound(notFound);
        var delivery = await deliveries.FindAsync(deliveryId, cancellationToken);
        if (delivery is null || delivery.AccountId != caller.AccountId || delivery.AppId != appId || delivery.WebhookId != webhookId)
        {
            throw ApiException.NotFound(notFound);
        }
        var sent = await grains.GetGrain<IWebhookOnDemandGrain>(caller.AccountId).ResendDelivery(deliveryId);
        return await Answer(sent, notFound, cancellationToken);
    }

    private IAppGrain App(string appId) => grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId));

    /// <summary>The caller's app's webhook, or 404/403 (the app) or 404 (the webhook).</summary>
    private async Task<WebhookSnapshot> FindWebhook(ApiCaller caller, string appId, string webhookId)
    {
        await grains.FindApp(caller, appId);
        var notFound = $"Webhook {webhookId} not found";
        if (!ResourceId.IsWellFormed(webhookId, "wh")) throw ApiException.NotFound(notFound);
        var webhooks = await App(appId).GetWebhooks() ?? throw ApiException.NotFound($"App {appId} not found");
        return webhooks.FirstOrDefault(w => w.WebhookId == webhookId) ?? throw ApiException.NotFound(notFound);
    }

    private static WebhookSnapshot Expect(WebhookChange change, string appId, string? webhookId) => change.Outcome switch
    {
        WebhookChangeOutcome.Done => change.Webhook!,
        WebhookChangeOutcome.LimitReached => throw ApiException.BadRequest($"webhooks: at most {WebhookLimits.MaxPerApp} per app"),
        WebhookChangeOutcome.AppNotFound => throw ApiException.NotFound($"App {appId} not found"),
        _ => throw ApiException.NotFound($"Webhook {webhookId} not found"),
    };

    private async Task<SendResponse> Answer(OnDemandSend sent, string notFound, CancellationToken cancellationToken)
    {
        if (sent.Outcome != OnDemandOutcome.Attempted) throw ApiException.NotFound(notFound);
        var delivery = await deliveries.FindAsync(sent.DeliveryId!, cancellationToken)
            ?? throw new InvalidOperationException($"Delivery {sent.DeliveryId} was recorded but cannot be read");
        return new SendResponse(sent.Result!.Delivered, sent.Result.StatusCode, sent.Result.Error, DeliveryResponse.From(delivery));
    }

    private async Task<string?> ValidUrl(string? url, List<string> details, string missing, CancellationToken cancellationToken)
    {
        var trimmed = url?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            details.Add($"url: {missing}");
            return null;
        }
        if (await targets.CheckForRegistrationAsync(trimmed, cancellationToken) is { } problem)
        {
            details.Add($"url: {problem}");
            return null;
        }
        return trimmed;
    }

    private static List<string>? ValidEvents(IReadOnlyList<string?>? events, List<string> details, string missing)
    {
        if (events is null || events.Count == 0)
        {
            details.Add($"events: {missing}; one or more of {string.Join(", ", WebhookEvents.All)}");
            return null;
        }
        if (events.Count > MaxEventsListed)
        {
            details.Add($"events: at most {MaxEventsListed} entries");
            return null;
        }
        var known = new List<string>();
        for (var i = 0; i < events.Count; i++)
        {
            if (!WebhookEvents.IsKnown(events[i])) details.Add(events[i] is null ? $"events[{i}]: must be an event name" : $"events[{i}]: unknown event '{Shorten(events[i]!)}'");
            else if (!known.Contains(events[i]!, StringComparer.Ordinal)) known.Add(events[i]!);
        }
        return known;
    }

    private static string Shorten(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
