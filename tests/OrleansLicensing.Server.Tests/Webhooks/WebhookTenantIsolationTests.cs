using System.Net.Http.Json;
using OrleansLicensing.Events;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Webhooks.given;
using OrleansLicensing.Testing;
using OrleansLicensing.Server.Developer.Webhooks;

namespace OrleansLicensing.Server.Webhooks;

/// <summary>Another account's key changes nothing and learns nothing, on every webhook route.</summary>
[Collection(WebhookServerCollection.Name)]
public sealed class WebhookTenantIsolationTests(WebhookServer server)
{
    [Fact]
    public async Task Another_accounts_key_gets_403_on_every_route_and_changes_and_sends_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var owner = await server.Host.NewAccount();
        using var intruder = await server.Host.NewAccount();
        var appId = (await owner.Client.CreateApp()).Id("appId");
        var webhook = await owner.Client.CreateWebhook(appId, receiver.Url("/owner"), WebhookEvents.LicenseCreated);
        var webhookId = webhook.Id("webhookId");
        var eventId = await server.Host.RaiseEvent(owner.AccountId, appId, WebhookEvents.LicenseCreated);
        await receiver.WaitFor(r => r.Id == eventId);
        await Eventually.True(async () => (await owner.Client.Deliveries(appId, webhookId)) is [var d] && d.Id("status") == "delivered", WebhookWorld.Patience);
        var deliveryId = (await owner.Client.Deliveries(appId, webhookId))[0].Id("deliveryId");
        var before = await Snapshot(owner, appId, webhookId);
        var received = receiver.Received.Count;

        foreach (var (method, path) in WebhooksApiTests.Routes(appId, webhookId, deliveryId))
        {
            using var response = await intruder.Client.Send(method, path, $"{{\"url\":\"{receiver.Url("/intruder")}\",\"events\":[\"test.ping\"],\"enabled\":false}}");
            await response.AssertError(403, "forbidden");
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotContain(webhook.Id("secret"), text);
            Assert.DoesNotContain(receiver.Url("/owner"), text);
            Assert.DoesNotContain(deliveryId, text);
        }

        Assert.Equal(before, await Snapshot(owner, appId, webhookId));
        Assert.Equal(received, receiver.Received.Count);
    }

    [Fact]
    public async Task Ids_of_another_account_used_under_ones_own_app_are_404()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var owner = await server.Host.NewAccount();
        using var intruder = await server.Host.NewAccount();
        var appId = (await owner.Client.CreateApp()).Id("appId");
        var webhookId = (await owner.Client.CreateWebhook(appId, receiver.Url("/owner"))).Id("webhookId");
        using (var ping = await owner.Client.PostAsync($"/v1/apps/{appId}/webhooks/{webhookId}/test", null, TestContext.Current.CancellationToken)) ping.EnsureSuccessStatusCode();
        var deliveryId = (await owner.Client.Deliveries(appId, webhookId))[0].Id("deliveryId");
        var ownApp = (await intruder.Client.CreateApp()).Id("appId");
        var ownWebhook = (await intruder.Client.CreateWebhook(ownApp, receiver.Url("/intruder"))).Id("webhookId");
        var before = await Snapshot(owner, appId, webhookId);

        // The owner's webhook id under the intruder's app, and the owner's delivery id under the intruder's webhook.
        foreach (var (method, path) in WebhooksApiTests.Routes(ownApp, webhookId, deliveryId).Where(r => r.Path.Contains(webhookId)))
        {
            using var response = await intruder.Client.Send(method, path, "{\"enabled\":false}");
            await response.AssertError(404, "not_found");
        }
        using var retry = await intruder.Client.PostAsync($"/v1/apps/{ownApp}/webhooks/{ownWebhook}/deliveries/{deliveryId}/retry", null, TestContext.Current.CancellationToken);
        await retry.AssertError(404, "not_found");

        Assert.Equal(before, await Snapshot(owner, appId, webhookId));
        Assert.Empty(await intruder.Client.Deliveries(ownApp, ownWebhook));
        Assert.Equal(["/owner"], receiver.Received.Select(r => r.Path));
    }

    private static async Task<string> Snapshot(DeveloperAccount owner, string appId, string webhookId) =>
        (await owner.Client.GetJson($"/v1/apps/{appId}/webhooks")).GetRawText() +
        (await owner.Client.GetJson($"/v1/apps/{appId}/webhooks/{webhookId}/deliveries")).GetRawText();
}
