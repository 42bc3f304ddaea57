using OrleansLicensing.Events;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Webhooks.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Webhooks;

/// <summary>The outbox and the deliveries are in the database: a stopped silo resumes where it stopped.</summary>
public sealed class WebhookRestartTests
{
    [Fact]
    public async Task An_event_committed_while_no_silo_ran_is_delivered_after_the_start()
    {
        using var data = new TempDirectory("webhook-restart");
        var settings = WebhookServer.Settings(data.Path, sweepInterval: "00:00:00.250");
        await using var receiver = await WebhookReceiver.StartAsync();
        string accountId, appId, webhookId, secret;
        await using (var first = await LicensingTestHost.StartAsync(settings))
        {
            using var account = await first.NewAccount();
            accountId = account.AccountId;
            appId = (await account.Client.CreateApp()).Id("appId");
            var webhook = await account.Client.CreateWebhook(appId, receiver.Url(), WebhookEvents.LicenseRevoked);
            (webhookId, secret) = (webhook.Id("webhookId"), webhook.Id("secret"));
        }

        // The state change committed with its event, and the silo died before any wake-up.
        var database = new LicensingDatabase(StorageProvider.Sqlite, StorageConnections.Sqlite(Path.Combine(data.Path, "licensing.db")));
        var eventId = await database.InsertEvent(accountId, appId, WebhookEvents.LicenseRevoked);

        await using var second = await LicensingTestHost.StartAsync(settings);
        var received = await receiver.WaitFor(r => r.Id == eventId);

        Assert.True(received.SignedWith(secret), "the secret was decrypted after the restart");
        Assert.True(await database.IsDispatched(eventId));
        using var client = second.ClientWithKey((await second.RegisterKey(accountId, ["read:webhooks"])));
        await Eventually.True(async () => (await client.Deliveries(appId, webhookId)) is [var d] && d.Id("status") == "delivered", WebhookWorld.Patience);
    }

    [Fact]
    public async Task A_delivery_pending_when_the_silo_stops_is_delivered_after_the_restart()
    {
        using var data = new TempDirectory("webhook-restart");
        // A second of backoff: the first attempt fails, the silo stops before the next one is due.
        var settings = WebhookServer.Settings(data.Path, sweepInterval: "00:00:00.250", retryBaseDelay: "00:00:01", maxAttempts: 12);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.DefaultStatus = 503;
        string accountId, appId, webhookId, eventId;
        await using (var first = await LicensingTestHost.StartAsync(settings))
        {
            using var account = await first.NewAccount();
            accountId = account.AccountId;
            appId = (await account.Client.CreateApp()).Id("appId");
            webhookId = (await account.Client.CreateWebhook(appId, receiver.Url(), WebhookEvents.LicenseRevoked)).Id("webhookId");
            eventId = await first.RaiseEvent(accountId, appId, WebhookEvents.LicenseRevoked);
            await receiver.WaitFor(r => r.Id == eventId);
        }
        var failedBeforeStop = receiver.Received.Count(r => r.Id == eventId);
        receiver.DefaultStatus = 200;

        await using var second = await LicensingTestHost.StartAsync(settings);
        await receiver.WaitFor(r => r.Id == eventId && r.AnsweredWith == 200);

        using var client = second.ClientWithKey(await second.RegisterKey(accountId, ["read:webhooks"]));
        await Eventually.True(async () => (await client.Deliveries(appId, webhookId)) is [var d] && d.Id("status") == "delivered", WebhookWorld.Patience);
        var delivery = Assert.Single(await client.Deliveries(appId, webhookId));
        // An attempt cut off by the stop may have reached the receiver without being recorded.
        Assert.InRange(delivery.GetProperty("attempts").GetInt32(), 2, failedBeforeStop + 1);
        Assert.All(receiver.Received.Take(failedBeforeStop), r => Assert.Equal(503, r.AnsweredWith));
        Assert.Single(receiver.Received, r => r.AnsweredWith == 200);
    }
}
