using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Events;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Webhooks.given;

/// <summary>
/// A server for delivery tests: private targets allowed (receivers run on 127.0.0.1), fast backoff
/// (200 ms base, 3 attempts) and a 200 ms sweep.
/// </summary>
public sealed class WebhookServer : IAsyncLifetime
{
    private readonly TempDirectory _data = new("webhooks");

    public LicensingTestHost Host { get; private set; } = null!;

    public const int MaxAttempts = 3;

    public static Dictionary<string, string?> Settings(string dataDirectory, string sweepInterval = "00:00:00.200", string retryBaseDelay = "00:00:00.200", int maxAttempts = MaxAttempts)
    {
        var settings = LicensingTestHost.SqliteSettings(dataDirectory);
        settings["Licensing:Webhooks:AllowPrivateTargets"] = "true";
        settings["Licensing:Webhooks:RetryBaseDelay"] = retryBaseDelay;
        settings["Licensing:Webhooks:SweepInterval"] = sweepInterval;
        settings["Licensing:Webhooks:MaxAttempts"] = maxAttempts.ToString();
        settings["Licensing:Webhooks:Timeout"] = "00:00:05";
        return settings;
    }

    public async ValueTask InitializeAsync() => Host = await LicensingTestHost.StartAsync(Settings(_data.Path));

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class WebhookServerCollection : ICollectionFixture<WebhookServer>
{
    public const string Name = "webhook server";
}

/// <summary>Arrangement shared by the webhook specs.</summary>
public static class WebhookWorld
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Registers a webhook and returns the 201 body (with its secret).</summary>
    public static async Task<JsonElement> CreateWebhook(this HttpClient client, string appId, string url, params string[] events)
    {
        using var response = await client.PostAsJsonAsync($"/v1/apps/{appId}/webhooks", new { url, events = events.Length == 0 ? [WebhookEvents.LicenseRevoked] : events });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Body();
    }

    /// <summary>
    /// Inserts an event into the outbox as a committed state change would, and (unless
    /// <paramref name="wake"/> is false) wakes the account's dispatch grain.
    /// </summary>
    public static async Task<string> RaiseEvent(this LicensingTestHost host, string accountId, string? appId, string type, object? data = null, bool wake = true)
    {
        var eventId = await host.Services.GetRequiredService<LicensingDatabase>().InsertEvent(accountId, appId, type, data);
        if (wake) await host.Grains.GetGrain<IWebhookDispatchGrain>(accountId).EventsCommitted();
        return eventId;
    }

    /// <summary>Inserts an event row into <c>licensing_events</c> (the outbox contract) and returns its id.</summary>
    public static async Task<string> InsertEvent(this LicensingDatabase database, string accountId, string? appId, string type, object? data = null, DateTimeOffset? occurredAt = null)
    {
        var eventId = ResourceId.New("evt", DateTimeOffset.UtcNow);
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO licensing_events (event_id, account_id, app_id, type, occurred_at, data) VALUES (@id, @account, @app, @type, @at, @data)";
        command.AddParameter("id", eventId);
        command.AddParameter("account", accountId);
        command.AddParameter("app", appId);
        command.AddParameter("type", type);
        command.AddParameter("at", (occurredAt ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds());
        command.AddParameter("data", JsonSerializer.Serialize(data ?? new { appId }));
        await command.ExecuteNonQueryAsync();
        return eventId;
    }

    /// <summary>Whether the outbox row of <paramref name="eventId"/> is marked dispatched.</summary>
    public static async Task<bool> IsDispatched(this LicensingDatabase database, string eventId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT dispatched FROM licensing_events WHERE event_id = @id";
        command.AddParameter("id", eventId);
        return Convert.ToBoolean(await command.ExecuteScalarAsync());
    }

    /// <summary>How many deliveries the event was fanned out to.</summary>
    public static async Task<int> DeliveriesOf(this LicensingDatabase database, string eventId)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM licensing_webhook_deliveries WHERE event_id = @id";
        command.AddParameter("id", eventId);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    /// <summary>The webhook's delivery log (first page, newest first).</summary>
    public static async Task<JsonElement[]> Deliveries(this HttpClient client, string appId, string webhookId)
    {
        var body = await client.GetJson($"/v1/apps/{appId}/webhooks/{webhookId}/deliveries");
        return [.. body.GetProperty("deliveries").EnumerateArray()];
    }

    /// <summary>Sends a request; <paramref name="json"/> is the body of POST and PUT only.</summary>
    public static Task<HttpResponseMessage> Send(this HttpClient client, HttpMethod method, string path, string json)
    {
        var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post || method == HttpMethod.Put) request.Content = Json.Raw(json);
        return client.SendAsync(request);
    }

    /// <summary>Waits until the receiver got a request satisfying <paramref name="match"/> and returns it.</summary>
    public static async Task<ReceivedWebhook> WaitFor(this WebhookReceiver receiver, Func<ReceivedWebhook, bool> match, TimeSpan? timeout = null)
    {
        ReceivedWebhook? found = null;
        await Eventually.True(
            () => Task.FromResult((found = receiver.Received.FirstOrDefault(match)) is not null),
            timeout ?? Patience,
            () => Task.FromResult($"received: [{string.Join(", ", receiver.Received.Select(r => $"{r.Path} {r.Event} -> {r.AnsweredWith}"))}]"));
        return found!;
    }
}
