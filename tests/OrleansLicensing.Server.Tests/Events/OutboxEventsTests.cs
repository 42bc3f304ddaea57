using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Testing;
using OrleansLicensing.Server.Developer.Licenses;

namespace OrleansLicensing.Server.Events;

/// <summary>
/// Every state change that raises a webhook event commits it to the outbox table with the change:
/// exactly once, and never for a change that was not stored (docs/developer-api.md §4.4, docs/protocol.md §15).
/// </summary>
[Collection(AuthServerCollection.Name)]
public sealed class OutboxEventsTests(AuthServer server) : AuthSpec(server.Host)
{
    private async Task<(DeveloperAccount Account, TestApp App)> Vendor(long credits = 1_000, bool listensToValidated = true)
    {
        var account = await Host.NewAccount("Vendor", credits);
        var created = await account.Client.CreateApp();
        var app = new TestApp(created.Id("appId"), created.Id("appSecret"), SigningScheme.Ed25519, created.Id("publicKey"), created.Id("keyId"), account.AccountId);
        if (listensToValidated)
        {
            // license.validated is only raised while a webhook listens (.invalid never resolves: nothing is delivered).
            using var webhook = await account.Client.PostAsJsonAsync($"/v1/apps/{app.AppId}/webhooks",
                new { url = "https://hooks.invalid/licensing", events = new[] { "license.validated" } });
            Assert.True(webhook.StatusCode == HttpStatusCode.Created, await webhook.Content.ReadAsStringAsync());
        }
        return (account, app);
    }

    private static async Task<string> CreateLicense(DeveloperAccount account, string appId, object? extra = null)
    {
        using var response = await account.Client.PostAsJsonAsync("/v1/licenses", extra ?? new { appId, maxHwidSlots = 2 });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Body()).GetProperty("licenses")[0].Id("licenseKey");
    }

    private static async Task Put(DeveloperAccount account, string key, string action)
    {
        using var response = await account.Client.PutAsync($"/v1/licenses/{key}", Json.Raw($$"""{"action":"{{action}}"}"""));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private async Task<string[]> Types(string accountId, string? licenseKey = null) =>
        [.. (await Host.EventsOf(accountId))
            .Where(e => licenseKey is null || (e.Data.TryGetProperty("licenseKey", out var k) && k.GetString() == licenseKey))
            .Select(e => e.Type)];

    [Fact]
    public async Task Creating_a_license_commits_license_created_with_the_license_fields()
    {
        var (account, app) = await Vendor();
        using var _ = account;
        var key = await CreateLicense(account, app.AppId, new { appId = app.AppId, label = "store order 17", expiresAt = "2031-01-02T03:04:05Z" });

        var created = Assert.Single(await Host.EventsOf(account.AccountId));
        Assert.Equal(("license.created", account.AccountId, app.AppId), (created.Type, created.AccountId, created.AppId));
        Assert.StartsWith("evt_", created.EventId);
        Assert.Equal(
            $$"""{"licenseKey":"{{key}}","appId":"{{app.AppId}}","status":"active","expiresAt":"2031-01-02T03:04:05Z","label":"store order 17"}""",
            created.Data.GetRawText());
    }

    [Fact]
    public async Task Validates_commit_validated_on_every_success_and_bound_and_activated_only_when_they_happen()
    {
        var (account, app) = await Vendor();
        using var _ = account;
        var key = await CreateLicense(account, app.AppId);

        Assert.Equal(HttpStatusCode.OK, (await Validate(app, key, "device-1")).Status);
        Assert.Equal(["license.created", "license.validated", "license.hwid_bound", "license.activated"], await Types(account.AccountId));

        await Validate(app, key, "device-1");
        await Validate(app, key, "device-2");
        Assert.Equal(
            ["license.created", "license.validated", "license.hwid_bound", "license.activated", "license.validated", "license.validated", "license.hwid_bound"],
            await Types(account.AccountId));

        var bound = (await Host.EventsOf(account.AccountId)).Last();
        Assert.Equal("device-2", bound.Data.GetProperty("hwid").GetString());
        var validated = (await Host.EventsOf(account.AccountId)).Where(e => e.Type == "license.validated").Last();
        Assert.Equal(Ip, validated.Data.GetProperty("ip").GetString());

        // A refused validate (slots full) changes nothing, so it raises nothing.
        var before = (await Host.EventsOf(account.AccountId)).Count;
        Assert.Equal("hwid_mismatch", (await Validate(app, key, "device-3")).Json.GetProperty("error").GetString());
        Assert.Equal(before, (await Host.EventsOf(account.AccountId)).Count);
    }

    [Fact]
    public async Task Without_a_webhook_listening_validates_raise_no_validated_event()
    {
        var (account, app) = await Vendor(listensToValidated: false);
        using var _ = account;
        var key = await CreateLicense(account, app.AppId);

        await Validate(app, key, "device-1");
        await Validate(app, key, "device-1");

        Assert.Equal(["license.created", "license.hwid_bound", "license.activated"], await Types(account.AccountId));
    }

    [Fact]
    public async Task Management_changes_commit_their_event_once_per_actual_change()
    {
        var (account, app) = await Vendor();
        using var _ = account;
        var key = await CreateLicense(account, app.AppId);
        await Validate(app, key, "device-1");

        await Put(account, key, "revoke");
        await Put(account, key, "revoke");      // already revoked: no change, no event
        await Put(account, key, "activate");
        await Put(account, key, "activate");    // already active
        await Put(account, key, "reset-hwid");
        await Put(account, key, "reset-hwid");  // nothing bound any more: no change
        using (var alias = await account.Client.PostAsync($"/v1/licenses/{key}/hwid/reset", null, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, alias.StatusCode);
        }
        using (var deleted = await account.Client.DeleteAsync($"/v1/licenses/{key}", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var events = (await Host.EventsOf(account.AccountId)).Where(e => e.Type != "license.validated").ToArray();
        Assert.Equal(
            ["license.created", "license.hwid_bound", "license.activated", "license.revoked", "license.activated", "license.hwid_reset", "license.deleted"],
            events.Select(e => e.Type).ToArray());
        Assert.Equal("api", events[3].Data.GetProperty("reason").GetString());
        Assert.Equal("revoked", events[3].Data.GetProperty("status").GetString());
        Assert.Equal("reactivated", events[4].Data.GetProperty("reason").GetString());
        Assert.Equal(1, events[5].Data.GetProperty("clearedHwids").GetInt32());
        Assert.Equal(events.Length, events.Select(e => e.EventId).Distinct().Count());
    }

    [Fact]
    public async Task A_change_whose_event_cannot_be_stored_is_not_applied_either()
    {
        var (account, app) = await Vendor();
        using var _ = account;
        var key = await CreateLicense(account, app.AppId);

        // The outbox refuses inserts: the grain-state write that carries the event fails with it.
        await Execute("CREATE TRIGGER test_outbox_down BEFORE INSERT ON licensing_events BEGIN SELECT RAISE(ABORT, 'outbox down'); END;");
        try
        {
            using var refused = await account.Client.PutAsync($"/v1/licenses/{key}", Json.Raw("""{"action":"revoke"}"""), TestContext.Current.CancellationToken);
            await refused.AssertError(500, "internal_error");
        }
        finally
        {
            await Execute("DROP TRIGGER test_outbox_down;");
        }

        Assert.Equal("active", (await account.Client.GetJson($"/v1/licenses/{key}")).Id("status"));
        Assert.Equal(["license.created"], await Types(account.AccountId));

        await Put(account, key, "revoke");
        Assert.Equal(["license.created", "license.revoked"], await Types(account.AccountId));
    }

    [Fact]
    public async Task An_expired_license_raises_license_expired_once_per_expiry()
    {
        var (account, app) = await Vendor();
        using var _ = account;
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var key = await CreateLicense(account, app.AppId, new { appId = app.AppId, expiresAt = expiresAt.ToString("O") });
        var sweep = Host.Services.GetServices<IHostedService>().OfType<LicenseExpirySweep>().Single();

        await sweep.SweepAsync(CancellationToken.None);
        Assert.Equal(["license.created"], await Types(account.AccountId, key));

        await Eventually.True(async () =>
        {
            await sweep.SweepAsync(CancellationToken.None);
            return (await Types(account.AccountId, key)).Contains("license.expired");
        }, TimeSpan.FromSeconds(30));
        await sweep.SweepAsync(CancellationToken.None);
        Assert.Equal(["license.created", "license.expired"], await Types(account.AccountId, key));

        // Extended, then expired again: a new expiry, a new event.
        using (var extended = await account.Client.PutAsync($"/v1/licenses/{key}", Json.Raw($$"""{"action":"extend","expiresAt":"{{DateTimeOffset.UtcNow.AddSeconds(2):O}}"}"""), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        }
        await Eventually.True(async () =>
        {
            await sweep.SweepAsync(CancellationToken.None);
            return (await Types(account.AccountId, key)).Count(t => t == "license.expired") == 2;
        }, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Credits_low_is_raised_once_when_the_balance_falls_under_the_threshold()
    {
        var (account, app) = await Vendor(credits: 101);
        using var _ = account;
        var key = await CreateLicense(account, app.AppId);

        await Validate(app, key, "device-1");   // 101 → 100: not under 100
        Assert.DoesNotContain("credits.low", await Types(account.AccountId));
        await Validate(app, key, "device-1");   // 100 → 99
        await Validate(app, key, "device-1");   // 99 → 98: already under

        var low = Assert.Single(await Host.EventsOf(account.AccountId), e => e.Type == "credits.low");
        Assert.Null(low.AppId);
        Assert.Equal((99, 100), (low.Data.GetProperty("credits").GetInt64(), low.Data.GetProperty("threshold").GetInt64()));
    }

    private async Task Execute(string sql)
    {
        var database = Host.Services.GetRequiredService<LicensingDatabase>();
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
