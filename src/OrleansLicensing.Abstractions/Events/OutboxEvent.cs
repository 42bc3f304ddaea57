namespace OrleansLicensing.Events;

/// <summary>
/// A webhook event raised by a state change. It travels inside the grain state whose write commits
/// the change (the durable outbox): the database copies it into <c>licensing_events</c> in the same
/// transaction, keyed by <see cref="EventId"/>, so re-writing the same state never duplicates it.
/// </summary>
/// <param name="EventId">Unique id (<c>evt_…</c>), the <c>id</c> of the webhook body.</param>
/// <param name="Type">One of <see cref="WebhookEvents"/>.</param>
/// <param name="AccountId">The account whose webhooks may receive it.</param>
/// <param name="AppId">The app whose webhooks receive it; <c>null</c> for account-wide events.</param>
/// <param name="At">When the change happened (the body's <c>timestamp</c>).</param>
/// <param name="Data">The body's <c>data</c> object, field by field.</param>
[GenerateSerializer, Immutable]
public sealed record OutboxEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] string Type,
    [property: Id(2)] string AccountId,
    [property: Id(3)] string? AppId,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] IReadOnlyList<EventField> Data)
{
    /// <summary>A new event with a fresh id.</summary>
    public static OutboxEvent New(string type, string accountId, string? appId, DateTimeOffset at, params EventField[] data) =>
        new(ResourceId.New("evt", at), type, accountId, appId, at, data);
}

/// <summary>How an <see cref="EventField"/> is written in JSON.</summary>
public enum EventFieldKind
{
    /// <summary>A JSON string (or <c>null</c>).</summary>
    String = 0,
    /// <summary>A JSON integer; <see cref="EventField.Value"/> holds its invariant digits.</summary>
    Number = 1,
    /// <summary><c>true</c> / <c>false</c>.</summary>
    Boolean = 2,
    /// <summary>An ISO-8601 UTC time string (or <c>null</c>); <see cref="EventField.Value"/> holds Unix milliseconds.</summary>
    Time = 3,
    /// <summary>A JSON array of strings; <see cref="EventField.Value"/> holds the array's JSON text.</summary>
    TextList = 4,
}

/// <summary>One member of an event's <c>data</c> object; grains say what, the host writes the JSON.</summary>
[GenerateSerializer, Immutable]
public sealed record EventField(
    [property: Id(0)] string Name,
    [property: Id(1)] EventFieldKind Kind,
    [property: Id(2)] string? Value)
{
    public static EventField Text(string name, string? value) => new(name, EventFieldKind.String, value);

    public static EventField Number(string name, long value) =>
        new(name, EventFieldKind.Number, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static EventField Flag(string name, bool value) => new(name, EventFieldKind.Boolean, value ? "true" : "false");

    public static EventField Texts(string name, IReadOnlyList<string> values) =>
        new(name, EventFieldKind.TextList, System.Text.Json.JsonSerializer.Serialize(values));

    public static EventField Time(string name, DateTimeOffset? value) =>
        new(name, EventFieldKind.Time, value?.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
}
