using System.Text.Json;
using Orleans.Runtime;
using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Auth;

/// <summary>The concurrency invariants through HTTP on a two-silo PostgreSQL cluster, requests spread over both silos.</summary>
public sealed class PostgresAuthClusterTests : IAsyncLifetime
{
    private readonly TempDirectory _dataA = new("pg-auth-a");
    private readonly TempDirectory _dataB = new("pg-auth-b");
    private LicensingTestHost _siloA = null!;
    private LicensingTestHost _siloB = null!;

    public async ValueTask InitializeAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var clusterId = $"auth-{Guid.NewGuid():N}";
        Dictionary<string, string?> Settings(string path)
        {
            var settings = LicensingTestHost.PostgresSettings(path, database, clusterId);
            settings["Licensing:Auth:TrustedProxies:0"] = "127.0.0.1";
            settings["Licensing:Auth:RateLimits:ValidatePerLicensePerMinute"] = "0";
            settings["Licensing:Auth:RateLimits:ValidatePerIpPerMinute"] = "0";
            settings["Licensing:Auth:RateLimits:AppBurst"] = "0";
            return settings;
        }
        _siloA = await LicensingTestHost.StartAsync(Settings(_dataA.Path));
        _siloB = await LicensingTestHost.StartAsync(Settings(_dataB.Path));
        var management = _siloB.Grains.GetGrain<IManagementGrain>(0);
        await Eventually.True(async () => (await management.GetHosts(onlyActive: true)).Count == 2, TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await _siloB.DisposeAsync();
        await _siloA.DisposeAsync();
        _dataA.Dispose();
        _dataB.Dispose();
    }

    private sealed class Spec(LicensingTestHost host) : AuthSpec(host)
    {
        public Task<TestApp> App(long credits) => NewApp(credits: credits);
        public Task<string> Key(TestApp app, int slots) => NewLicense(app, slots);
        public Task<AuthReply> Send(TestApp app, string key, string hwid) => Validate(app, key, hwid);
        public OrleansLicensing.Accounts.IDeveloperAccountGrain Account(TestApp app) => Grains.GetGrain<OrleansLicensing.Accounts.IDeveloperAccountGrain>(app.AccountId);
        public Task<long> Credits(string account) => Balance(account);
        public Task<LicenseSnapshot?> Snapshot(string key) => License(key).Get();
        public Task<VerifiedSession> SignIn(TestApp app, string key, string hwid) => Login(app, key, hwid);
        public Task<AuthReply> Beat(TestApp app, string token, string hwid) => Heartbeat(app, token, hwid);
        public Task Revoke(string key) => License(key).Change(new LicenseChange(LicenseAction.Revoke));
        public Task Suspend(TestApp app, bool suspended) => Grains.GetGrain<OrleansLicensing.Accounts.IDeveloperAccountGrain>(app.AccountId)
            .SetStatus(suspended ? OrleansLicensing.Accounts.AccountStatus.Suspended : OrleansLicensing.Accounts.AccountStatus.Active, suspended ? "test" : null);
        public Task BlockHwid(TestApp app, string hwid) => App(app).AddSecurityEntry(SecurityListName.HwidBlacklist, hwid);
        public Task Disable(TestApp app) => App(app).Update(new UpdateApp(Status: AppStatus.Disabled));
        public Task<SigningKeyChange> AddNextKey(TestApp app) => App(app).AddNextSigningKey();
        public Task<SigningKeyChange> Promote(TestApp app, string keyId) => App(app).PromoteSigningKey(keyId);
    }

    [Fact]
    public async Task A_stored_nonce_is_refused_even_when_it_arrives_while_a_batch_reads_heartbeat_counters()
    {
        // A batch with a billable heartbeat reads its license's stored counter before it is applied
        // (on PostgreSQL a real asynchronous read, during which the reentrant account takes new calls);
        // a replay arriving then belongs to the next batch, whose replay lookup must still see it.
        var spec = new Spec(_siloA);
        var app = await spec.App(credits: 1_000_000);
        var account = spec.Account(app);
        var nonce = Guid.NewGuid().ToString("N");
        var first = await account.DebitUsage(new OrleansLicensing.Accounts.UsageDebit(app.AppId, "KEY", OrleansLicensing.Accounts.CreditEntryKind.Validate, null, null, Nonce: nonce));
        Assert.Equal(OrleansLicensing.Accounts.UsageDebitStatus.Debited, first.Status);

        // Both streams run until they have met often enough (at most 60 s; about 3 s on an idle machine).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var ordinal = 0L;
        var replayed = 0;
        bool Enough() => (Interlocked.Read(ref ordinal) > 50 && Volatile.Read(ref replayed) > 100) || DateTime.UtcNow > deadline;
        var heartbeats = Task.Run(async () =>
        {
            while (!Enough())
            {
                await account.DebitUsage(new OrleansLicensing.Accounts.UsageDebit(app.AppId, "KEY-HB", OrleansLicensing.Accounts.CreditEntryKind.Heartbeat, null, null, HeartbeatOrdinal: Interlocked.Increment(ref ordinal)));
            }
        }, TestContext.Current.CancellationToken);
        var replays = Task.Run(async () =>
        {
            var outcomes = new List<OrleansLicensing.Accounts.UsageDebitStatus>();
            while (!Enough())
            {
                // Out of step with the heartbeats: each replay lands at another point of a batch.
                Thread.SpinWait(Random.Shared.Next(0, 200_000));
                outcomes.Add((await account.DebitUsage(new OrleansLicensing.Accounts.UsageDebit(app.AppId, "KEY", OrleansLicensing.Accounts.CreditEntryKind.Validate, null, null, Nonce: nonce))).Status);
                Interlocked.Increment(ref replayed);
            }
            return outcomes;
        }, TestContext.Current.CancellationToken);
        await heartbeats;
        var answered = await replays;

        Assert.True(ordinal > 50 && answered.Count > 100, $"{ordinal} heartbeat batches and {answered.Count} replays: too few to meet each other");
        Assert.All(answered, status => Assert.Equal(OrleansLicensing.Accounts.UsageDebitStatus.ReplayDetected, status));
    }

    [Fact]
    public async Task A_key_promoted_through_one_silo_signs_the_next_response_of_the_other()
    {
        var a = new Spec(_siloA);
        var b = new Spec(_siloB);
        var app = await a.App(credits: 50);
        var key = await a.Key(app, slots: 2);
        await a.SignIn(app, key, "device");
        await b.SignIn(app, key, "device"); // both silos now cache the view with the current key

        var next = (await a.AddNextKey(app)).Key!;
        // A next key signs nothing, on either silo.
        await b.SignIn(app, key, "device");
        await a.SignIn(app, key, "device");

        Assert.Equal(SigningKeyChangeOutcome.Done, (await a.Promote(app, next.KeyId)).Outcome);
        var rotated = app with { PublicKey = next.PublicKey, KeyId = next.KeyId };
        await b.SignIn(rotated, key, "device");
        await a.SignIn(rotated, key, "device");
    }

    [Fact]
    public async Task A_change_acknowledged_through_one_silo_is_seen_by_the_next_request_on_the_other_although_both_cache_the_views()
    {
        var a = new Spec(_siloA);
        var b = new Spec(_siloB);
        var app = await a.App(credits: 50);
        var key = await a.Key(app, slots: 2);
        var session = await b.SignIn(app, key, "device"); // both silos now hold the app's and the account's views
        Assert.Contains("\"status\":\"success\"", (await a.Send(app, key, "device")).Body);

        await a.Suspend(app, suspended: true);
        Assert.Equal("{\"status\":\"failed\",\"error\":\"app_disabled\"}", (await b.Send(app, key, "device")).Body);
        Assert.Equal("{\"status\":\"failed\",\"error\":\"app_disabled\"}", (await b.Beat(app, session.Token, "device")).Body);
        await b.Suspend(app, suspended: false);
        Assert.Contains("\"status\":\"success\"", (await a.Send(app, key, "device")).Body);

        await b.BlockHwid(app, "device");
        Assert.Equal("{\"status\":\"failed\",\"error\":\"blocked\"}", (await a.Beat(app, session.Token, "device")).Body);
        Assert.Contains("\"status\":\"success\"", (await a.Send(app, key, "other-device")).Body);

        await a.Disable(app);
        Assert.Equal("{\"status\":\"failed\",\"error\":\"invalid_app\"}", (await b.Send(app, key, "other-device")).Body);
    }

    [Fact]
    public async Task Concurrent_validates_on_two_silos_bind_exactly_the_slots_and_debit_exactly_the_successes()
    {
        var a = new Spec(_siloA);
        var b = new Spec(_siloB);
        var app = await a.App(credits: 120);
        var contested = await a.Key(app, slots: 3);
        var others = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => a.Key(app, slots: 16)));

        // 40 validates of one license from distinct HWIDs, and 200 over ten more licenses, half through each silo.
        var contestedReplies = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? a : b).Send(app, contested, $"device-{i}")));
        var spreadReplies = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => (i % 2 == 0 ? a : b).Send(app, others[i % 10], $"device-{i % 7}")));

        string Code(AuthReply r) => JsonDocument.Parse(r.Body).RootElement.TryGetProperty("error", out var e) ? e.GetString()! : "success";
        Assert.Equal(3, contestedReplies.Count(r => Code(r) == "success"));
        Assert.All(contestedReplies, r => Assert.Contains(Code(r), new[] { "success", "hwid_mismatch" }));
        Assert.Equal(3, (await b.Snapshot(contested))!.Hwids.Count);

        var successes = 3 + spreadReplies.Count(r => Code(r) == "success");
        Assert.All(spreadReplies, r => Assert.Contains(Code(r), new[] { "success", "no_credits" }));
        Assert.Equal(120, successes);
        Assert.Equal(0, await b.Credits(app.AccountId));
        Assert.Equal(0, await a.Credits(app.AccountId));
    }

    [Fact]
    public async Task A_session_from_one_silo_heartbeats_on_the_other_and_a_revoke_on_one_stops_it_on_the_other()
    {
        var a = new Spec(_siloA);
        var b = new Spec(_siloB);
        var app = await a.App(credits: 50);
        var key = await a.Key(app, slots: 1);

        var session = await a.SignIn(app, key, "device");
        Assert.Contains("\"status\":\"success\"", (await b.Beat(app, session.Token, "device")).Body);

        await a.Revoke(key);
        Assert.Equal("{\"status\":\"failed\",\"error\":\"revoked\"}", (await b.Beat(app, session.Token, "device")).Body);
        Assert.Equal("{\"status\":\"failed\",\"error\":\"revoked\"}", (await b.Send(app, key, "device")).Body);
    }
}
