namespace OrleansLicensing.Webhooks;

/// <summary>Limits of webhook configuration (docs/developer-api.md §4.4).</summary>
public static class WebhookLimits
{
    /// <summary>Webhooks per app.</summary>
    public const int MaxPerApp = 5;
}

/// <summary>A webhook as the management API shows it. Never contains the secret.</summary>
[GenerateSerializer, Immutable]
public sealed record WebhookSnapshot(
    [property: Id(0)] string WebhookId,
    [property: Id(1)] string AppId,
    [property: Id(2)] string Url,
    [property: Id(3)] IReadOnlyList<string> Events,
    [property: Id(4)] bool Enabled,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DateTimeOffset UpdatedAt);

/// <summary>
/// What a delivery needs of a webhook, with its plain secret: it only travels inside the cluster
/// (app grain → dispatch grain) and is never logged or stored unencrypted.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WebhookTarget(
    [property: Id(0)] string WebhookId,
    [property: Id(1)] string AppId,
    [property: Id(2)] string AccountId,
    [property: Id(3)] string Url,
    [property: Id(4)] IReadOnlyList<string> Events,
    [property: Id(5)] bool Enabled,
    [property: Id(6)] string Secret)
{
    /// <summary>Whether this webhook wants <paramref name="eventType"/> now.</summary>
    public bool Wants(string eventType) => Enabled && Events.Contains(eventType, StringComparer.Ordinal);
}

/// <summary>A new webhook (URL and events already validated by the edge).</summary>
[GenerateSerializer, Immutable]
public sealed record NewWebhook(
    [property: Id(0)] string Url,
    [property: Id(1)] IReadOnlyList<string> Events,
    [property: Id(2)] bool Enabled);

/// <summary>A partial update; <c>null</c> members stay as they are.</summary>
[GenerateSerializer, Immutable]
public sealed record WebhookUpdate(
    [property: Id(0)] string? Url = null,
    [property: Id(1)] IReadOnlyList<string>? Events = null,
    [property: Id(2)] bool? Enabled = null);

/// <summary>How a webhook change ended.</summary>
public enum WebhookChangeOutcome
{
    /// <summary>Applied and stored.</summary>
    Done = 0,
    /// <summary>The app does not exist (never created or deleted).</summary>
    AppNotFound = 1,
    /// <summary>The app has no webhook with that id.</summary>
    WebhookNotFound = 2,
    /// <summary>The app already has <see cref="WebhookLimits.MaxPerApp"/> webhooks.</summary>
    LimitReached = 3,
}

/// <summary>The outcome of a webhook change; <see cref="Secret"/> only when one was generated (create).</summary>
[GenerateSerializer, Immutable]
public sealed record WebhookChange(
    [property: Id(0)] WebhookChangeOutcome Outcome,
    [property: Id(1)] WebhookSnapshot? Webhook = null,
    [property: Id(2)] string? Secret = null);

/// <summary>One HTTP attempt of a delivery: 2xx = delivered; otherwise the status (or none) and why.</summary>
[GenerateSerializer, Immutable]
public sealed record WebhookAttemptResult(
    [property: Id(0)] bool Delivered,
    [property: Id(1)] int? StatusCode,
    [property: Id(2)] string? Error);

/// <summary>The outcome of an on-demand send (test ping or manual retry).</summary>
public enum OnDemandOutcome
{
    /// <summary>An attempt was made; see the result.</summary>
    Attempted = 0,
    /// <summary>The app, webhook or delivery does not exist (or not in this account).</summary>
    NotFound = 1,
}

/// <summary>An on-demand send and the delivery it was recorded under.</summary>
[GenerateSerializer, Immutable]
public sealed record OnDemandSend(
    [property: Id(0)] OnDemandOutcome Outcome,
    [property: Id(1)] string? DeliveryId = null,
    [property: Id(2)] WebhookAttemptResult? Result = null);
