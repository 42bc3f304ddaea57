using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Apps;
using OrleansLicensing.Events;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Webhooks.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Webhooks;

/// <summary>Delivery from the outbox to real receivers: fan-out, signing, retries, test pings.</summary>
[Collection(WebhookServerCollection.Name)]
public sealed class WebhookDeliveryTests(WebhookServer server)
{
    private LicensingDatabase Database => server.Host.Services.GetRequiredService<LicensingDatabase>();

    [Fact]
    public async Task An_event_is_posted_with_the_documented_body_and_headers_and_signed_with_the_webhook_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var webhook = await account.Client.CreateWebhook(appId, receiver.Url("/in"), WebhookEvents.LicenseRevoked);
        var occurredAt = DateTimeOffset.Parse("2026-11-26T12:00:00.789Z", CultureInfo.InvariantCulture);
        var data = new { licenseKey = "ABCD-EFGH-JKLM-NPQR", appId, status = "revoked", expiresAt = (string?)null, reason = "chargeback ü" };
        var before = DateTimeOffset.UtcNow;

        var eventId = await Database.InsertEvent(account.AccountId, appId, WebhookEvents.LicenseRevoked, data, occurredAt);
        await server.Host.Grains.GetGrain<IWebhookDispatchGrain>(account.AccountId).EventsCommitted();
        var received = await receiver.WaitFor(r => r.Id == eventId);

        Assert.Equal(("POST", "/in"), (received.Header("Method"), received.Path));
        Assert.Equal("application/json", received.Header("Content-Type"));
        Assert.Equal(WebhookEvents.LicenseRevoked, received.Header("X-AuthForge-Event"));
        var sentAt = long.Parse(received.Header("X-AuthForge-Timestamp")!, CultureInfo.InvariantCulture);
        Assert.InRange(sentAt, before.ToUnixTimeSeconds() - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Matches("^[0-9a-f]{64}$", received.Header("X-AuthForge-Signature"));
        Assert.True(received.SignedWith(webhook.Id("secret")), "the signature is the HMAC-SHA256 of the raw body under the secret");
        Assert.False(received.SignedWith(webhook.Id("secret") + "x"));

        var body = received.Json;
        Assert.Equal(["id", "event", "timestamp", "data"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal((eventId, "license.revoked", "2026-11-26T12:00:00Z"), (body.Id("id"), body.Id("event"), body.Id("timestamp")));
        Assert.Equal(JsonSerializer.Serialize(data), body.GetProperty("data").GetRawText());

        await Eventually.True(async () => (await account.Client.Deliveries(appId, webhook.Id("webhookId"))) is [var d] && d.Id("status") == "delivered", WebhookWorld.Patience);
        var delivery = Assert.Single(await account.Client.Deliveries(appId, webhook.Id("webhookId")));
        Assert.Matches("^dlv_[0-9a-z]{26}$", delivery.Id("deliveryId"));
        Assert.Equal((eventId, "license.revoked", 1, 200), (delivery.Id("eventId"), delivery.Id("event"), delivery.GetProperty("attempts").GetInt32(), delivery.GetProperty("lastStatusCode").GetInt32()));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", delivery.Id("at"));
        Assert.True(await Database.IsDispatched(eventId));
    }

    [Fact]
    public async Task Only_enabled_webhooks_subscribed_to_the_event_receive_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        await account.Client.CreateWebhook(appId, receiver.Url("/revoked"), WebhookEvents.LicenseRevoked, WebhookEvents.LicenseCreated);
        var createdOnly = await account.Client.CreateWebhook(appId, receiver.Url("/created"), WebhookEvents.LicenseCreated);
        var disabled = await account.Client.CreateWebhook(appId, receiver.Url("/disabled"), WebhookEvents.LicenseRevoked, WebhookEvents.LicenseCreated);
        using (var off = await account.Client.PutAsync($"/v1/apps/{appId}/webhooks/{disabled.Id("webhookId")}", Json.Raw("{\"enabled\":false}"), TestContext.Current.CancellationToken)) Assert.Equal(HttpStatusCode.OK, off.StatusCode);

        var revoked = await server.Host.RaiseEvent(account.AccountId, appId, WebhookEvents.LicenseRevoked);
        var created = await server.Host.RaiseEvent(account.AccountId, appId, WebhookEvents.LicenseCreated);
        await receiver.WaitFor(r => r.Id == revoked && r.Path == "/revoked");
        await receiver.WaitFor(r => r.Id == created && r.Path == "/revoked");
        await receiver.WaitFor(r => r.Id == created && r.Path == "/created");

        // Both events are fanned out, so the deliveries that exist are all there will ever be.
        Assert.True(await Database.IsDispatched(revoked) && await Database.IsDispatched(created));
        Assert.Equal([created], (await account.Client.Deliveries(appId, createdOnly.Id("webhookId"))).Select(d => d.Id("eventId")));
        Assert.Empty(await account.Client.Deliveries(appId, disabled.Id("webhookId")));
        Assert.Equal(new[] { ("/created", created), ("/revoked", created), ("/revoked", revoked) }.Order(), receiver.Received.Select(r => (r.Path, r.Id)).Order());
    }

    [Fact]
    public async Task An_account_wide_event_reaches_the_subscribed_webhooks_of_every_app_of_the_account()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var account = await server.Host.NewAccount();
        var first = (await account.Client.CreateApp()).Id("appId");
        var second = (await account.Client.CreateApp()).Id("appId");
        var third = (await account.Client.CreateApp()).Id("appId");
        await account.Client.CreateWebhook(first, receiver.Url("/first"), WebhookEvents.CreditsLow);
        await account.Client.CreateWebhook(second, receiver.Url("/second"), WebhookEvents.CreditsLow, WebhookEvents.LicenseCreated);
        var thirdHook = await account.Client.CreateWebhook(third, receiver.Url("/third"), WebhookEvents.LicenseCreated);

        var low = await server.Host.RaiseEvent(account.AccountId, null, WebhookEvents.CreditsLow, new { accountId = account.AccountId, credits = 9, threshold = 10 });
        var marker = await server.Host.RaiseEvent(account.AccountId, third, WebhookEvents.LicenseCreated);
        await receiver.WaitFor(r => r.Id == low && r.Path == "/first");
        await receiver.WaitFor(r => r.Id == low && r.Path == "/second");
        await receiver.WaitFor(r => r.Id == marker && r.Path == "/third");

        Assert.True(await Database.IsDispatched(low));
        Assert.Equal([marker], (await account.Client.Deliveries(third, thirdHook.Id("webhookId"))).Select(d => d.Id("eventId")));
        Assert.Equal(2, await Database.DeliveriesOf(low));
        Assert.Equal(["/first", "/second", "/third"], receiver.Received.Select(r => r.Path).Order());
        var body = receiver.Received.First(r => r.Path == "/first").Json.GetProperty("data");
        Assert.Equal((account.AccountId, 9, 10), (body.Id("accountId"), body.GetProperty("credits").GetInt32(), body.GetProperty("threshold").GetInt32()));
    }

    [Fact]
    public async Task An_event_never_reaches_the_webhooks_of_another_account_or_of_a_deleted_app()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var owner = await server.Host.NewAccount();
        using var other = await server.Host.NewAccount();
        var ownerApp = (await owner.Client.CreateApp()).Id("appId");
        var deletedApp = (await owner.Client.CreateApp()).Id("appId");
        var otherApp = (await other.Client.CreateApp()).Id("appId");
        await owner.Client.CreateWebhook(ownerApp, receiver.Url("/owner"), WebhookEvents.LicenseCreated);
        await owner.Client.CreateWebhook(deletedApp, receiver.Url("/deleted"), WebhookEvents.LicenseCreated);
        var otherHook = await other.Client.CreateWebhook(otherApp, receiver.Url("/other"), WebhookEvents.LicenseCreated);
        Assert.True(await server.Host.Grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(deletedApp)).Delete());
        Assert.Null(await server.Host.Grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(deletedApp)).GetWebhookTargets());

        // An event of the owner's account that names another account's app, and one of a deleted app.
        var stray = await server.Host.RaiseEvent(owner.AccountId, otherApp, WebhookEvents.LicenseCreated);
        var gone = await server.Host.RaiseEvent(owner.AccountId, deletedApp, WebhookEvents.LicenseCreated);
        var marker = await server.Host.RaiseEvent(owner.AccountId, ownerApp, WebhookEvents.LicenseCreated);
        await receiver.WaitFor(r => r.Id == marker);

        Assert.Equal([("/owner", marker)], receiver.Received.Select(r => (r.Path, r.Id)));
        Assert.True(await Database.IsDispatched(stray));
        Assert.True(await Database.IsDispatched(gone));
        Assert.Equal((0, 0), (await Database.DeliveriesOf(stray), await Database.DeliveriesOf(gone)));
        Assert.Empty(await other.Client.Deliveries(otherApp, otherHook.Id("webhookId")));
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_with_backoff_until_the_receiver_answers_2xx()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer(500);
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var webhook = await account.Client.CreateWebhook(appId, receiver.Url(), WebhookEvents.LicenseExpired);

        var eventId = await server.Host.RaiseEvent(account.AccountId, appId, WebhookEvents.LicenseExpired);
        await receiver.WaitFor(r => r.Id == eventId && r.AnsweredWith == 200);

        var attempts = receiver.Received.Where(r => r.Id == eventId).ToList();
        Assert.Equal([500, 200], attempts.Select(r => r.AnsweredWith));
        Assert.Equal(attempts[0].Body, attempts[1].Body); // the same event, byte for byte
        Assert.All(attempts, r => Assert.True(r.SignedWith(webhook.Id("secret"))));
        await Eventually.True(async () => (await account.Client.Deliveries(appId, webhook.Id("webhookId")))[0].Id("status") == "delivered", WebhookWorld.Patience);
        var delivery = Assert.Single(await account.Client.Deliveries(appId, webhook.Id("webhookId")));
        Assert.Equal((2, 200), (delivery.GetProperty("attempts").GetInt32(), delivery.GetProperty("lastStatusCode").GetInt32()));
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("nextAttemptAt").ValueKind);
    }

    [Fact]
    public async Task A_delivery_fails_after_its_last_attempt_and_a_manual_retry_sends_it_again()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.DefaultStatus = 503;
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var webhook = await account.Client.CreateWebhook(appId, receiver.Url(), WebhookEvents.LicenseDeleted);
        var webhookId = webhook.Id("webhookId");

        var eventId = await server.Host.RaiseEvent(account.AccountId, appId, WebhookEvents.LicenseDeleted);
        await Eventually.True(async () => (await account.Client.Deliveries(appId, webhookId)) is [var d] && d.Id("status") == "failed", WebhookWorld.Patience);
        var failed = Assert.Single(await account.Client.Deliveries(appId, webhookId));
        Assert.Equal((WebhookServer.MaxAttempts, 503), (failed.GetProperty("attempts").GetInt32(), failed.GetProperty("lastStatusCode").GetInt32()));
        Assert.Equal(WebhookServer.MaxAttempts, receiver.Received.Count(r => r.Id == eventId));

        // Still failing: the manual attempt is counted, the status stays failed.
        using var stillDown = await account.Client.PostAsync($"/v1/apps/{appId}/webhooks/{webhookId}/deliveries/{failed.Id("deliveryId")}/retry", null, TestContext.Current.CancellationToken);
        var down = await stillDown.Body();
        Assert.Equal(HttpStatusCode.OK, stillDown.StatusCode);
        Assert.Equal((false, 503, "failed", WebhookServer.MaxAttempts + 1), (down.GetProperty("delivered").GetBoolean(), down.GetProperty("statusCode").GetInt32(),
            down.GetProperty("delivery").Id("status"), down.GetProperty("delivery").GetProperty("attempts").GetInt32()));

        receiver.DefaultStatus = 202;
        using var retried = await account.Client.PostAsync($"/v1/apps/{appId}/webhooks/{webhookId}/deliveries/{failed.Id("deliveryId")}/retry", null, TestContext.Current.CancellationToken);
        var answer = await retried.Body();
        Assert.Equal((true, 202), (answer.GetProperty("delivered").GetBoolean(), answer.GetProperty("statusCode").GetInt32()));
        Assert.Equal(("delivered", WebhookServer.MaxAttempts + 2, 202), (answer.GetProperty("delivery").Id("status"),
            answer.GetProperty("delivery").GetProperty("attempts").GetInt32(), answer.GetProperty("delivery").GetProperty("lastStatusCode").GetInt32()));
        var resent = receiver.Received.Last();
        Assert.Equal((eventId, 202), (resent.Id, resent.AnsweredWith));
        Assert.True(resent.SignedWith(webhook.Id("secret")));
        Assert.Equal("delivered", (await account.Client.Deliveries(appId, webhookId))[0].Id("status"));
    }

    [Fact]
    public async Task Test_ping_is_sent_at_once_answers_with_the_receivers_status_and_is_logged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        // Not subscribed to test.ping and disabled: a test is sent anyway.
        var webhook = await account.Client.CreateWebhook(appId, receiver.Url("/ping"), WebhookEvents.LicenseCreated);
        var webhookId = webhook.Id("webhookId");
        using (var off = await account.Client.PutAsync($"/v1/apps/{appId}/webhooks/{webhookId}", Json.Raw("{\"enabled\":false}"), TestContext.Current.CancellationToken)) Assert.Equal(HttpStatusCode.OK, off.StatusCode);

        receiver.Answer(418);
        using var teapot = await account.Client.PostAsync($"/v1/apps/{appId}/webhooks/{webhookId}/test", null, TestContext.Current.CancellationToken);
        receiver.Answer(204);
        using var fine = await account.Client.PostAsync($"/v1/apps/{appId}/webhooks/{webhookId}/test", null, TestContext.Current.CancellationToken);

        var refused = await teapot.Body();
        Assert.Equal((false, 418), (refused.GetProperty("delivered").GetBoolean(), refused.GetProperty("statusCode").GetInt32()));
        var accepted = await fine.Body();
        Assert.Equal((true, 204), (accepted.GetProperty("delivered").GetBoolean(), accepted.GetProperty("statusCode").GetInt32()));
        Assert.Equal(2, receiver.Received.Count); // synchronous: received before the answer
        Assert.All(receiver.Received, r =>
        {
            Assert.Equal(("test.ping", "test.ping"), (r.Event, r.Header("X-AuthForge-Event")));
            Assert.True(r.SignedWith(webhook.Id("secret")));
            Assert.Equal((appId, webhookId), (r.Json.GetProperty("data").Id("appId"), r.Json.GetProperty("data").Id("webhookId")));
        });
        var log = await account.Client.Deliveries(appId, webhookId);
        Assert.Equal([("delivered", 204), ("failed", 418)], log.Select(d => (d.Id("status"), d.GetProperty("lastStatusCode").GetInt32())));
        Assert.Equal(accepted.GetProperty("delivery").Id("deliveryId"), log[0].Id("deliveryId"));
        Assert.Equal(receiver.Received[1].Id, log[0].Id("eventId"));
    }

    [Fact]
    public async Task Test_ping_to_a_receiver_that_is_down_answers_without_a_status_code()
    {
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var webhookId = (await account.Client.CreateWebhook(appId, $"http://127.0.0.1:{FreePorts.Next()}/nobody")).Id("webhookId");

        using var response = await account.Client.PostAsync($"/v1/apps/{appId}/webhooks/{webhookId}/test", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Body();
        Assert.False(answer.GetProperty("delivered").GetBoolean());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("statusCode").ValueKind);
        Assert.False(string.IsNullOrEmpty(answer.Id("error")));
        Assert.Equal("failed", answer.GetProperty("delivery").Id("status"));
    }

    [Fact]
    public async Task Events_committed_without_a_wake_up_are_delivered_by_the_sweep()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        await account.Client.CreateWebhook(appId, receiver.Url(), WebhookEvents.LicenseHwidReset);

        var eventId = await server.Host.RaiseEvent(account.AccountId, appId, WebhookEvents.LicenseHwidReset, wake: false);

        await receiver.WaitFor(r => r.Id == eventId);
        Assert.True(await Database.IsDispatched(eventId));
    }

    [Fact]
    public async Task Fanning_out_twice_creates_no_second_delivery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var webhookId = (await account.Client.CreateWebhook(appId, receiver.Url(), WebhookEvents.LicenseActivated)).Id("webhookId");
        var eventId = await server.Host.RaiseEvent(account.AccountId, appId, WebhookEvents.LicenseActivated);
        await receiver.WaitFor(r => r.Id == eventId);

        // As if a crash had lost the "dispatched" mark: the event is fanned out again.
        await using (var connection = await Database.OpenAsync(TestContext.Current.CancellationToken))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE licensing_events SET dispatched = 0 WHERE event_id = @id";
            command.AddParameter("id", eventId);
            Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }
        var marker = await server.Host.RaiseEvent(account.AccountId, appId, WebhookEvents.LicenseActivated);
        await receiver.WaitFor(r => r.Id == marker);

        Assert.True(await Database.IsDispatched(eventId));
        Assert.Equal([marker, eventId], (await account.Client.Deliveries(appId, webhookId)).Select(d => d.Id("eventId")));
        Assert.Single(receiver.Received, r => r.Id == eventId);
    }

    [Fact]
    public async Task Revoking_a_license_delivers_license_revoked()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var account = await server.Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var webhook = await account.Client.CreateWebhook(appId, receiver.Url(), WebhookEvents.LicenseRevoked);
        var licenseKey = (await account.Client.CreateLicense(appId)).Id("licenseKey");

        using var revoke = await account.Client.PutAsJsonAsync($"/v1/licenses/{licenseKey}", new { action = "revoke" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        var received = await receiver.WaitFor(r => r.Event == WebhookEvents.LicenseRevoked);
        Assert.True(received.SignedWith(webhook.Id("secret")));
        var data = received.Json.GetProperty("data");
        Assert.Equal((licenseKey, appId, "revoked"), (data.Id("licenseKey"), data.Id("appId"), data.Id("status")));
        Assert.Single(receiver.Received);
    }
}
