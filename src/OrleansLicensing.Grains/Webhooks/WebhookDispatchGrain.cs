using Microsoft.Extensions.Logging;
using OrleansLicensing.Accounts;
using OrleansLicensing.Apps;
using OrleansLicensing.Events;

namespace OrleansLicensing.Webhooks;

/// <summary>
/// Delivers one account's webhook events. A wake-up (<see cref="EventsCommitted"/>, from a grain that
/// just committed events or from the per-silo sweeper) starts a pump, unless one runs; the pump
/// (1) fans undispatched outbox events out to one delivery per subscribed, enabled webhook and marks
/// them dispatched, in one database transaction, then (2) sends the deliveries that are due and
/// records each attempt with its backoff. All state is in the database, so an activation can die at
/// any point: the next wake-up starts over from what was committed (at-least-once).
/// </summary>
/// <remarks>
/// The pump runs detached from the wake-up call, on the activation's scheduler: calls (test pings,
/// manual retries) interleave with it at awaits, and nothing but the two flags is shared in memory.
/// </remarks>
public sealed partial class WebhookDispatchGrain(
    IWebhookOutbox outbox,
    IWebhookSender sender,
    WebhookDeliveryOptions options,
    TimeProvider time,
    ILogger<WebhookDispatchGrain> logger) : Grain, IWebhookDispatchGrain, IWebhookOnDemandGrain
{
    private const int EventBatch = 200;
    private const int DeliveryBatch = 50;
    private const int Parallelism = 8;
    // Bounds one pump; whatever is left is picked up by the next wake-up or sweep.
    private const int MaxRounds = 20;

    private bool _wakeRequested;
    private Task _pump = Task.CompletedTask;

    private string AccountId => this.GetPrimaryKeyString();

    public Task EventsCommitted()
    {
        _wakeRequested = true;
        // Single-threaded activation: between the pump's last check of the flag and its completion
        // there is no await, so a wake-up can never fall between the two.
        if (_pump.IsCompleted) _pump = PumpAsync();
        return Task.CompletedTask;
    }

    public async Task<OnDemandSend> SendTestPing(string appId, string webhookId, string dataJson)
    {
        var target = (await TargetsOf(appId)).FirstOrDefault(t => t.WebhookId == webhookId);
        if (target is null) return new OnDemandSend(OnDemandOutcome.NotFound);

        var now = time.GetUtcNow();
        var delivery = new NewDelivery(ResourceId.New("dlv", now), AccountId, appId, webhookId, ResourceId.New("evt", now),
            WebhookEvents.TestPing, now, dataJson, now, now);
        var result = await sender.SendAsync(new WebhookMessage(target.Url, target.Secret, delivery.EventId, delivery.EventType, now, dataJson));
        // A ping is sent once: not delivered = failed (a manual retry can send it again).
        await outbox.InsertAttemptedAsync(delivery, new DeliveryAttempt(delivery.DeliveryId, time.GetUtcNow(),
            result.Delivered ? DeliveryStatus.Delivered : DeliveryStatus.Failed, null, result.StatusCode, result.Error));
        return new OnDemandSend(OnDemandOutcome.Attempted, delivery.DeliveryId, result);
    }

    public async Task<OnDemandSend> ResendDelivery(string deliveryId)
    {
        var delivery = await outbox.FindAsync(deliveryId);
        if (delivery is null || delivery.AccountId != AccountId) return new OnDemandSend(OnDemandOutcome.NotFound);
        var target = (await TargetsOf(delivery.AppId)).FirstOrDefault(t => t.WebhookId == delivery.WebhookId);
        if (target is null) return new OnDemandSend(OnDemandOutcome.NotFound);
        var result = await AttemptAsync(delivery, target, automatic: false);
        return new OnDemandSend(OnDemandOutcome.Attempted, delivery.DeliveryId, result);
    }

    private async Task PumpAsync()
    {
        while (_wakeRequested)
        {
            _wakeRequested = false;
            try
            {
                await FanOutAsync();
                await SendDueAsync();
            }
            catch (Exception error)
            {
                // Nothing is lost: the events stay undispatched or the deliveries due; the sweep retries.
                LogPumpFailed(logger, error, AccountId);
            }
        }
    }

    /// <summary>Turns undispatched events into deliveries, batch by batch, each batch in one transaction.</summary>
    private async Task FanOutAsync()
    {
        for (var round = 0; round < MaxRounds; round++)
        {
            var events = await outbox.ReadUndispatchedAsync(AccountId, EventBatch);
            if (events.Count == 0) return;

            var now = time.GetUtcNow();
            var targets = new Dictionary<string, IReadOnlyList<WebhookTarget>>(StringComparer.Ordinal);
            IReadOnlyList<string>? accountApps = null;
            var deliveries = new List<NewDelivery>();
            foreach (var item in events)
            {
                // Account-wide events (credits.low) go to the subscribed webhooks of every app of the account.
                var apps = item.AppId is { } appId
                    ? [appId]
                    : accountApps ??= await GrainFactory.GetGrain<IAccountAppsGrain>(AccountId).List(null, int.MaxValue);
                foreach (var app in apps)
                {
                    if (!targets.TryGetValue(app, out var hooks)) targets[app] = hooks = await TargetsOf(app);
                    foreach (var hook in hooks.Where(h => h.Wants(item.Type)))
                    {
                        deliveries.Add(new NewDelivery(ResourceId.New("dlv", now), AccountId, app, hook.WebhookId, item.EventId,
                            item.Type, item.OccurredAt, item.DataJson, now, now));
                    }
                }
            }
            await outbox.DispatchAsync([.. events.Select(e => e.Seq)], deliveries);
            LogFannedOut(logger, AccountId, events.Count, deliveries.Count);
            if (events.Count < EventBatch) return;
        }
    }

    /// <summary>Sends every due delivery once, a few at a time, and records the outcomes.</summary>
    private async Task SendDueAsync()
    {
        for (var round = 0; round < MaxRounds; round++)
        {
            var due = await outbox.ReadDueAsync(AccountId, time.GetUtcNow(), DeliveryBatch);
            if (due.Count == 0) return;

            var targets = new Dictionary<string, IReadOnlyList<WebhookTarget>>(StringComparer.Ordinal);
            foreach (var appId in due.Select(d => d.AppId).Distinct(StringComparer.Ordinal))
            {
                targets[appId] = await TargetsOf(appId);
            }
            foreach (var chunk in due.Chunk(Parallelism))
            {
                await Task.WhenAll(chunk.Select(d => AttemptAsync(d, targets[d.AppId].FirstOrDefault(t => t.WebhookId == d.WebhookId), automatic: true)));
            }
            if (due.Count < DeliveryBatch) return;
        }
    }

    /// <summary>
    /// One attempt of a stored delivery. Automatic: a failure schedules the next attempt by the backoff,
    /// or fails the delivery when none is left or the webhook is gone or disabled. Manual: a failure
    /// leaves status and schedule as they are.
    /// </summary>
    private async Task<WebhookAttemptResult> AttemptAsync(WebhookDelivery delivery, WebhookTarget? target, bool automatic)
    {
        WebhookAttemptResult result;
        if (target is null) result = new WebhookAttemptResult(false, null, "webhook deleted");
        else if (automatic && !target.Enabled) result = new WebhookAttemptResult(false, null, "webhook disabled");
        else result = await sender.SendAsync(new WebhookMessage(target.Url, target.Secret, delivery.EventId, delivery.EventType, delivery.OccurredAt, delivery.DataJson));

        var now = time.GetUtcNow();
        DeliveryStatus? status;
        DateTimeOffset? next = null;
        if (result.Delivered) status = DeliveryStatus.Delivered;
        else if (!automatic) status = null;
        else if (target is null || !target.Enabled) status = DeliveryStatus.Failed;
        else if (options.NextAttemptAfter(delivery.Attempts + 1, now) is { } at) (status, next) = (DeliveryStatus.Pending, at);
        else status = DeliveryStatus.Failed;

        await outbox.RecordAttemptAsync(new DeliveryAttempt(delivery.DeliveryId, now, status, next, result.StatusCode, result.Error));
        if (!result.Delivered) LogAttemptFailed(logger, delivery.DeliveryId, delivery.Attempts + 1, result.StatusCode, result.Error);
        return result;
    }

    /// <summary>The app's webhooks, only if the app belongs to this account (an event can never leave its account).</summary>
    private async Task<IReadOnlyList<WebhookTarget>> TargetsOf(string appId)
    {
        var targets = await GrainFactory.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId)).GetWebhookTargets();
        return targets is null ? [] : [.. targets.Where(t => t.AccountId == AccountId)];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook dispatch of account {AccountId} failed; the next sweep retries")]
    private static partial void LogPumpFailed(ILogger logger, Exception error, string accountId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Account {AccountId}: {Events} events fanned out to {Deliveries} deliveries")]
    private static partial void LogFannedOut(ILogger logger, string accountId, int events, int deliveries);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} attempt {Attempt} failed: status {StatusCode}, {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string deliveryId, int attempt, int? statusCode, string? error);
}
