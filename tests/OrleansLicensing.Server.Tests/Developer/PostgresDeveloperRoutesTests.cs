using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;
using OrleansLicensing.Server.AuthLogs;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Server.Developer.Account;
using OrleansLicensing.Server.Developer.Apps;

namespace OrleansLicensing.Server.Developer;

/// <summary>The auth log and ledger paging on PostgreSQL (one silo of a cluster configuration).</summary>
public sealed class PostgresDeveloperRoutesTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("pg-devroutes");
    private LicensingTestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var settings = LicensingTestHost.PostgresSettings(_data.Path, database, $"devroutes-{Guid.NewGuid():N}");
        settings["Licensing:Auth:TrustedProxies:0"] = "127.0.0.1";
        _host = await LicensingTestHost.StartAsync(settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        _data.Dispose();
    }

    private sealed class Spec(LicensingTestHost host) : DeveloperRoutesSpec(host)
    {
        public Task<(DeveloperAccount Account, TestApp App)> App() => NewDeveloperApp();
        public Task<VerifiedSession> SignIn(TestApp app, string key, string hwid) => Login(app, key, hwid);
        public Task<AuthReply> Send(TestApp app, string key, string hwid, string? secret = null) => Validate(app, key, hwid, secret: secret);
        public Task<AuthReply> Beat(TestApp app, string token, string hwid) => Heartbeat(app, token, hwid);
        public string CallerIp => Ip;
    }

    [Fact]
    public async Task Auth_outcomes_are_logged_and_paged_on_postgresql()
    {
        var spec = new Spec(_host);
        var (account, app) = await spec.App();
        using var _ = account;
        var key = (await account.Client.CreateLicense(app.AppId)).Id("licenseKey");

        var session = await spec.SignIn(app, key, "hwid-1");
        await spec.Send(app, "ABCD-EFGH-JKLM-NPQR", "hwid-2");
        await spec.Beat(app, session.Token, "hwid-1");
        for (var i = 0; i < 4; i++) await spec.Send(app, key, $"hwid-x{i}", secret: "wrong");

        await AppLogsApiTests.LogsWhenStored(account.Client, app.AppId, 7);
        var paged = await AppLogsApiTests.ReadLogs(account.Client, app.AppId, limit: 2);

        Assert.Equal(
            ["invalid_app", "invalid_app", "invalid_app", "invalid_app", "success", "invalid_key", "success"],
            paged.Select(e => e.Id("result")).ToArray());
        Assert.Equal(["validate", "validate", "validate", "validate", "heartbeat", "validate", "validate"], paged.Select(e => e.Id("endpoint")).ToArray());
        Assert.All(paged, e => Assert.Equal(spec.CallerIp, e.Id("ip")));
        Assert.Equal("ABCD-EFGH-JKLM-NPQR", Assert.Single(await AppLogsApiTests.ReadLogs(account.Client, app.AppId, filter: "&result=invalid_key")).Id("licenseKey"));

        // Retention on PostgreSQL: an entry past the cutoff goes, the recent ones stay.
        var store = _host.Services.GetRequiredService<AuthLogStore>();
        await store.InsertAsync([new AuthLogEntry(app.AppId, DateTimeOffset.UtcNow.AddDays(-31), "validate", "success", key, "ancient", "192.0.2.1")], TestContext.Current.CancellationToken);
        Assert.Equal(8, (await AppLogsApiTests.ReadLogs(account.Client, app.AppId)).Count);
        Assert.True(await store.DeleteOlderThanAsync(DateTimeOffset.UtcNow.AddDays(-30), chunk: 1, cancellationToken: TestContext.Current.CancellationToken) >= 1);
        Assert.Equal(7, (await AppLogsApiTests.ReadLogs(account.Client, app.AppId)).Count);
    }

    [Fact]
    public async Task Client_strings_with_U0000_are_served_listed_and_logged_on_postgresql()
    {
        var spec = new Spec(_host);
        var (account, app) = await spec.App();
        using var _ = account;
        var key = (await account.Client.CreateLicense(app.AppId)).Id("licenseKey");

        await AppLogsApiTests.ClientStringsWithNulAreServedListedAndLogged(account.Client, app.AppId, key, (licenseKey, hwid) => spec.Send(app, licenseKey, hwid));
    }

    [Fact]
    public async Task Ledger_pages_return_every_entry_exactly_once_across_sealed_pages()
    {
        using var account = await _host.NewAccount(credits: 1);
        // 300 entries: more than one sealed ledger page (256 entries), read back through both.
        for (var round = 0; round < 12; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => AccountLedgerApiTests.Grant(_host, account.AccountId, 2)));
        }

        var entries = await AccountLedgerApiTests.ReadLedger(account.Client, limit: 37);

        Assert.Equal(301, entries.Count);
        AccountLedgerApiTests.AssertChained(entries, 1 + 300 * 2);
        Assert.Equal(301, (await AccountLedgerApiTests.ReadLedger(account.Client, limit: 200)).Count);
    }

    [Fact]
    public async Task An_offline_file_is_minted_billed_bound_and_announced_on_postgresql()
    {
        var spec = new Spec(_host);
        var (account, app) = await spec.App();
        using var _ = account;
        var key = (await account.Client.CreateLicense(app.AppId)).Id("licenseKey");

        using var minted = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(account.Client, $"/v1/licenses/{key}/offline-files", new { expiresAt = DateTimeOffset.UtcNow.AddDays(5), hwids = new[] { "pg-machine" } }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Created, minted.StatusCode);
        var fileId = (await minted.Body()).Id("fileId");

        Assert.Equal(["pg-machine"], (await account.Client.GetJson($"/v1/licenses/{key}")).GetProperty("hwidList").EnumerateArray().Select(h => h.Id("hwid")));
        Assert.Equal(999, (await account.Client.GetJson("/v1/account")).GetProperty("credits").GetInt64());
        await Eventually.True(async () => (await _host.EventsOf(account.AccountId)).Any(e => e.Type == "license.offline_file_issued"), TimeSpan.FromSeconds(20));
        var issued = (await _host.EventsOf(account.AccountId)).Single(e => e.Type == "license.offline_file_issued");
        Assert.Equal(fileId, issued.Data.Id("fileId"));
        Assert.Equal("""["pg-machine"]""", issued.Data.GetProperty("hwids").GetRawText());
    }
}
