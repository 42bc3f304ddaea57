using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Events;

/// <summary>The outbox and the listing index on PostgreSQL (its own trigger function).</summary>
public sealed class PostgresProjectionTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("pg-projection");
    private LicensingTestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        _host = await LicensingTestHost.StartAsync(LicensingTestHost.PostgresSettings(_data.Path, database, $"projection-{Guid.NewGuid():N}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Changes_commit_their_events_and_listing_rows_and_a_failed_outbox_insert_fails_the_change()
    {
        using var account = await _host.NewAccount("Vendor", credits: 101);
        var appId = (await account.Client.CreateApp()).Id("appId");
        using var created = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId, quantity = 3, label = "pg-batch", maxHwidSlots = 2 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var keys = (await created.Body()).GetProperty("licenses").EnumerateArray().Select(l => l.Id("licenseKey")).ToArray();

        var verdict = await _host.Grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(keys[0]))
            .Validate(new LicenseValidation(appId, "machine-a", "203.0.113.7", null));
        Assert.Equal(LicenseVerdictCode.Ok, verdict.Code);
        await _host.Grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(keys[0])).Validate(new LicenseValidation(appId, "machine-a", "203.0.113.7", null));
        using (await account.Client.PutAsync($"/v1/licenses/{keys[1]}", Json.Raw("""{"action":"revoke"}"""), TestContext.Current.CancellationToken)) { }

        var events = await _host.EventsOf(account.AccountId);
        Assert.Equal(
            ["license.created", "license.created", "license.created", "license.validated", "license.hwid_bound", "license.activated", "credits.low", "license.validated", "license.revoked"],
            events.Select(e => e.Type).ToArray());
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());

        // One bulk create makes its licenses concurrently: their listing order among themselves is the commit order.
        var page = await account.Client.GetJson($"/v1/licenses?appId={appId}&label=pg-&limit=2");
        var rest = await account.Client.GetJson($"/v1/licenses?appId={appId}&label=pg-&limit=2&cursor={page.Id("cursor")}");
        var listed = page.GetProperty("licenses").EnumerateArray().Concat(rest.GetProperty("licenses").EnumerateArray()).Select(l => l.Id("licenseKey")).ToArray();
        Assert.Equal(keys.Order(), listed.Order());
        Assert.Equal(2, page.GetProperty("licenses").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("cursor").ValueKind);
        Assert.Equal([keys[0]], (await account.Client.GetJson($"/v1/licenses?appId={appId}&hwid=machine-a")).GetProperty("licenses").EnumerateArray().Select(l => l.Id("licenseKey")).ToArray());
        Assert.Equal([keys[1]], (await account.Client.GetJson($"/v1/licenses?appId={appId}&status=revoked")).GetProperty("licenses").EnumerateArray().Select(l => l.Id("licenseKey")).ToArray());

        await Execute("""
            CREATE FUNCTION test_outbox_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox down'; END $$;
            CREATE TRIGGER test_outbox_down BEFORE INSERT ON licensing_events FOR EACH ROW EXECUTE FUNCTION test_outbox_down();
            """);
        try
        {
            using var refused = await account.Client.PutAsync($"/v1/licenses/{keys[2]}", Json.Raw("""{"action":"revoke"}"""), TestContext.Current.CancellationToken);
            await refused.AssertError(500, "internal_error");
        }
        finally
        {
            await Execute("DROP TRIGGER test_outbox_down ON licensing_events; DROP FUNCTION test_outbox_down();");
        }
        Assert.Equal("active", (await account.Client.GetJson($"/v1/licenses/{keys[2]}")).Id("status"));
        Assert.Equal([keys[1]], (await account.Client.GetJson($"/v1/licenses?appId={appId}&status=revoked")).GetProperty("licenses").EnumerateArray().Select(l => l.Id("licenseKey")).ToArray());
        Assert.Equal(events.Count, (await _host.EventsOf(account.AccountId)).Count);
    }

    private async Task Execute(string sql)
    {
        await using var connection = await _host.Services.GetRequiredService<LicensingDatabase>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
