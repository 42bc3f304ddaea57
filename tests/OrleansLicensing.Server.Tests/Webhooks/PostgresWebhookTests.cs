using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Events;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Webhooks.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Webhooks;

/// <summary>Fan-out and delivery on PostgreSQL, across two silos of one cluster.</summary>
public sealed class PostgresWebhookTests
{
    [Fact]
    public async Task Events_fan_out_to_every_app_and_are_delivered_on_PostgreSQL_through_the_wake_up()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        using var dataA = new TempDirectory("pg-webhooks-a");
        using var dataB = new TempDirectory("pg-webhooks-b");
        var clusterId = $"test-{Guid.NewGuid():N}";
        // No sweep within the test: what is delivered was woken by EventsCommitted (the fast path).
        Dictionary<string, string?> Settings(string directory)
        {
            var settings = LicensingTestHost.PostgresSettings(directory, database, clusterId);
            settings["Licensing:Webhooks:AllowPrivateTargets"] = "true";
            settings["Licensing:Webhooks:SweepInterval"] = "01:00:00";
            return settings;
        }
        await using var siloA = await LicensingTestHost.StartAsync(Settings(dataA.Path));
        await using var siloB = await LicensingTestHost.StartAsync(Settings(dataB.Path));
        await using var receiver = await WebhookReceiver.StartAsync();

        using var account = await siloA.NewAccount();
        var first = (await account.Client.CreateApp()).Id("appId");
        var second = (await account.Client.CreateApp()).Id("appId");
        var firstHook = await account.Client.CreateWebhook(first, receiver.Url("/first"), WebhookEvents.CreditsLow, WebhookEvents.LicenseRevoked);
        var secondHook = await account.Client.CreateWebhook(second, receiver.Url("/second"), WebhookEvents.CreditsLow);

        var outbox = siloB.Services.GetRequiredService<LicensingDatabase>();
        Assert.True(outbox.IsPostgres);
        // Committed without a wake-up: the sweep's query (disabled here) would find the account.
        var sweeper = siloA.Services.GetRequiredService<SqlWebhookOutbox>();
        var unwoken = await siloA.RaiseEvent(account.AccountId, first, WebhookEvents.LicenseRevoked, wake: false);
        Assert.Contains(account.AccountId, await sweeper.AccountsWithWorkAsync(DateTimeOffset.UtcNow, 1000, TestContext.Current.CancellationToken));
        Assert.False(await outbox.IsDispatched(unwoken));

        var low = await siloB.RaiseEvent(account.AccountId, null, WebhookEvents.CreditsLow, new { accountId = account.AccountId, credits = 4, threshold = 5 });
        var revoked = await siloA.RaiseEvent(account.AccountId, first, WebhookEvents.LicenseRevoked);

        var lowFirst = await receiver.WaitFor(r => r.Id == low && r.Path == "/first");
        var lowSecond = await receiver.WaitFor(r => r.Id == low && r.Path == "/second");
        var revokedFirst = await receiver.WaitFor(r => r.Id == revoked && r.Path == "/first");
        await receiver.WaitFor(r => r.Id == unwoken && r.Path == "/first");
        Assert.True(lowFirst.SignedWith(firstHook.Id("secret")) && revokedFirst.SignedWith(firstHook.Id("secret")));
        Assert.True(lowSecond.SignedWith(secondHook.Id("secret")));
        Assert.True(await outbox.IsDispatched(low) && await outbox.IsDispatched(revoked) && await outbox.IsDispatched(unwoken));
        Assert.Equal(4, await outbox.DeliveriesOf(low) + await outbox.DeliveriesOf(revoked) + await outbox.DeliveriesOf(unwoken));
        Assert.Equal(4, receiver.Received.Count);

        using var readerB = siloB.ClientWithKey(account.ApiKey);
        await Eventually.True(async () => (await readerB.Deliveries(first, firstHook.Id("webhookId"))).All(d => d.Id("status") == "delivered")
            && (await readerB.Deliveries(second, secondHook.Id("webhookId"))).All(d => d.Id("status") == "delivered"), WebhookWorld.Patience);
        Assert.Equal([revoked, low, unwoken], (await readerB.Deliveries(first, firstHook.Id("webhookId"))).Select(d => d.Id("eventId")));
        Assert.DoesNotContain(account.AccountId, await sweeper.AccountsWithWorkAsync(DateTimeOffset.UtcNow, 1000, TestContext.Current.CancellationToken));

        // Test ping, manual retry and the paged log on PostgreSQL.
        var firstPath = $"/v1/apps/{first}/webhooks/{firstHook.Id("webhookId")}";
        receiver.Answer(500);
        using var ping = await readerB.PostAsync($"{firstPath}/test", null, TestContext.Current.CancellationToken);
        var pinged = await ping.Body();
        Assert.Equal((false, 500, "failed"), (pinged.GetProperty("delivered").GetBoolean(), pinged.GetProperty("statusCode").GetInt32(), pinged.GetProperty("delivery").Id("status")));
        using var retry = await readerB.PostAsync($"{firstPath}/deliveries/{pinged.GetProperty("delivery").Id("deliveryId")}/retry", null, TestContext.Current.CancellationToken);
        var retried = await retry.Body();
        Assert.Equal((true, "delivered", 2), (retried.GetProperty("delivered").GetBoolean(), retried.GetProperty("delivery").Id("status"), retried.GetProperty("delivery").GetProperty("attempts").GetInt32()));
        var page = await readerB.GetJson($"{firstPath}/deliveries?limit=2");
        var rest = await readerB.GetJson($"{firstPath}/deliveries?limit=2&cursor={page.Id("cursor")}");
        Assert.Equal([pinged.GetProperty("delivery").Id("eventId"), revoked, low, unwoken],
            page.GetProperty("deliveries").EnumerateArray().Concat(rest.GetProperty("deliveries").EnumerateArray()).Select(d => d.Id("eventId")));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rest.GetProperty("cursor").ValueKind);
    }
}
