namespace OrleansLicensing.Webhooks;

/// <summary>An event of the outbox (<c>licensing_events</c>) not yet fanned out to deliveries.</summary>
/// <param name="Seq">Commit order in the database.</param>
/// <param name="EventId"><c>evt_…</c>, the body's <c>id</c>.</param>
/// <param name="AccountId">The account that raised it.</param>
/// <param name="AppId">The app it concerns, or <c>null</c> for an account-wide event (to every app's webhooks).</param>
/// <param name="Type">The event name, e.g. <c>license.revoked</c>.</param>
/// <param name="OccurredAt">The body's <c>timestamp</c>.</param>
/// <param name="DataJson">The body's <c>data</c> object, as stored.</param>
public sealed record UndispatchedEvent(long Seq, string EventId, string AccountId, string? AppId, string Type, DateTimeOffset OccurredAt, string DataJson);

/// <summary>Where a delivery stands.</summary>
public enum DeliveryStatus
{
    /// <summary>Not yet acknowledged with a 2xx; another automatic attempt is scheduled.</summary>
    Pending = 0,
    /// <summary>A receiver answered 2xx.</summary>
    Delivered = 1,
    /// <summary>Every automatic attempt failed (or the webhook is gone or disabled); only a manual retry sends it again.</summary>
    Failed = 2,
}

/// <summary>A delivery to create: one event for one webhook.</summary>
public sealed record NewDelivery(
    string DeliveryId,
    string AccountId,
    string AppId,
    string WebhookId,
    string EventId,
    string EventType,
    DateTimeOffset OccurredAt,
    string DataJson,
    DateTimeOffset CreatedAt,
    DateTimeOffset FirstAttemptAt);

/// <summary>A stored delivery.</summary>
public sealed record WebhookDelivery(
    long Seq,
    string DeliveryId,
    string AccountId,
    string AppId,
    string WebhookId,
    string EventId,
    string EventType,
    DateTimeOffset OccurredAt,
    string DataJson,
    DateTimeOffset CreatedAt,
    DeliveryStatus Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt,
    int? LastStatusCode,
    string? LastError);

/// <summary>
/// The result of one attempt to store. <see cref="Status"/> (with <see cref="NextAttemptAt"/>) is what
/// the delivery becomes, <c>null</c> to keep its status and schedule; delivered is final either way (a
/// late failure never undoes it).
/// </summary>
public sealed record DeliveryAttempt(
    string DeliveryId,
    DateTimeOffset At,
    DeliveryStatus? Status,
    DateTimeOffset? NextAttemptAt,
    int? StatusCode,
    string? Error);

/// <summary>
/// The webhook tables: the events outbox (read and marked dispatched) and the deliveries. Implemented
/// in the host on the product database; the dispatch grain depends only on this.
/// </summary>
public interface IWebhookOutbox
{
    /// <summary>Undispatched events of an account, oldest first.</summary>
    Task<IReadOnlyList<UndispatchedEvent>> ReadUndispatchedAsync(string accountId, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// In one transaction: creates the deliveries (an existing (event, webhook) pair is left as it is)
    /// and marks the events dispatched.
    /// </summary>
    Task DispatchAsync(IReadOnlyList<long> eventSeqs, IReadOnlyList<NewDelivery> deliveries, CancellationToken cancellationToken = default);

    /// <summary>Pending deliveries of an account whose next attempt is due at <paramref name="now"/>, most overdue first.</summary>
    Task<IReadOnlyList<WebhookDelivery>> ReadDueAsync(string accountId, DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>One delivery by id, or <c>null</c>.</summary>
    Task<WebhookDelivery?> FindAsync(string deliveryId, CancellationToken cancellationToken = default);

    /// <summary>Records an attempt (attempts + 1, last status/error, new status and schedule).</summary>
    Task RecordAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken = default);

    /// <summary>Stores a delivery that was already attempted once (test pings), with that attempt's outcome.</summary>
    Task InsertAttemptedAsync(NewDelivery delivery, DeliveryAttempt attempt, CancellationToken cancellationToken = default);
}

/// <summary>A webhook request to send.</summary>
/// <param name="Url">The webhook's URL.</param>
/// <param name="Secret">The webhook's secret (HMAC key of the signature).</param>
/// <param name="EventId">The body's <c>id</c>.</param>
/// <param name="EventType">The body's <c>event</c> and the <c>X-AuthForge-Event</c> header.</param>
/// <param name="OccurredAt">The body's <c>timestamp</c>.</param>
/// <param name="DataJson">The body's <c>data</c> object.</param>
public sealed record WebhookMessage(string Url, string Secret, string EventId, string EventType, DateTimeOffset OccurredAt, string DataJson);

/// <summary>Sends one webhook request (HTTP, signing, the SSRF guard); implemented in the host.</summary>
public interface IWebhookSender
{
    /// <summary>One attempt; never throws for a receiver's failure (it is in the result).</summary>
    Task<WebhookAttemptResult> SendAsync(WebhookMessage message, CancellationToken cancellationToken = default);
}
