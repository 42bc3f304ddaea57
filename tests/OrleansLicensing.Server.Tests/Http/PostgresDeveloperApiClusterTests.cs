using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Orleans.Runtime;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Http.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Http;

/// <summary>Two silos (two server hosts) on one PostgreSQL database, per-key limit burst 20, 10/s.</summary>
public sealed class TwoSiloPostgresCluster : IAsyncLifetime
{
    public const int Burst = 20;
    public const int PerSecond = 10;

    private readonly TempDirectory _dataA = new("pg-api-a");
    private readonly TempDirectory _dataB = new("pg-api-b");

    private LicensingTestHost? _a;
    private LicensingTestHost? _b;

    /// <summary>The first silo; without a configured PostgreSQL the test skips here (fails under CI=true).</summary>
    public LicensingTestHost A => _a ?? NotStarted();

    /// <summary>The second silo; see <see cref="A"/>.</summary>
    public LicensingTestHost B => _b ?? NotStarted();

    public string Database { get; private set; } = "";

    // A class fixture that skips would fail every test of the class instead of skipping it, so the
    // fixture starts nothing without a server and each test skips on its first use of a silo.
    private static LicensingTestHost NotStarted()
    {
        PostgresServer.RequireServer();
        throw new InvalidOperationException("the two-silo PostgreSQL cluster did not start");
    }

    public async ValueTask InitializeAsync()
    {
        if (!PostgresServer.Configured) return;
        Database = await PostgresServer.CreateDatabaseAsync();
        var clusterId = $"api-{Guid.NewGuid():N}";
        Dictionary<string, string?> Settings(string path)
        {
            var settings = LicensingTestHost.PostgresSettings(path, Database, clusterId);
            settings["Licensing:Api:RateLimits:Burst"] = Burst.ToString(CultureInfo.InvariantCulture);
            settings["Licensing:Api:RateLimits:PerSecond"] = PerSecond.ToString(CultureInfo.InvariantCulture);
            return settings;
        }
        _a = await LicensingTestHost.StartAsync(Settings(_dataA.Path));
        _b = await LicensingTestHost.StartAsync(Settings(_dataB.Path));
        var management = _b.Grains.GetGrain<IManagementGrain>(0);
        await Eventually.True(async () => (await management.GetHosts(onlyActive: true)).Count == 2, TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (_b is not null) await _b.DisposeAsync();
        if (_a is not null) await _a.DisposeAsync();
        _dataA.Dispose();
        _dataB.Dispose();
    }
}

/// <summary>API keys, the per-key rate limit and idempotency across two silos on PostgreSQL.</summary>
public sealed class PostgresDeveloperApiClusterTests(TwoSiloPostgresCluster cluster, ITestOutputHelper output) : IClassFixture<TwoSiloPostgresCluster>
{
    [Theory]
    [InlineData(0)]  // 300 requests as fast as 16 concurrent callers can send them: mostly the burst
    [InlineData(10)] // 300 requests, one every 10 ms (100/s for 3 s): the sustained rate dominates
    public async Task The_rate_limit_of_one_key_holds_across_two_silos_within_the_token_bucket_bound(int intervalMs)
    {
        using var account = await cluster.A.NewAccount();
        using var viaA = cluster.A.ClientWithKey(account.ApiKey);
        using var viaB = cluster.B.ClientWithKey(account.ApiKey);
        const int total = 300;
        var accepted = new int[2];
        var other = 0;
        long firstResponse = long.MaxValue, lastSend = 0;
        var clock = Stopwatch.StartNew();

        async Task SendOne(int i)
        {
            var silo = i % 2; // alternate silos
            InterlockedMax(ref lastSend, clock.ElapsedTicks);
            using var response = await (silo == 0 ? viaA : viaB).GetAsync("/v1/account");
            InterlockedMin(ref firstResponse, clock.ElapsedTicks);
            if (response.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref accepted[silo]);
            else if (response.StatusCode != HttpStatusCode.TooManyRequests) Interlocked.Increment(ref other);
        }

        if (intervalMs == 0)
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < total) await SendOne(i);
            }));
        }
        else
        {
            // Open loop: request i leaves at i × interval whatever the earlier ones are doing.
            var sent = new List<Task>(total);
            for (var i = 0; i < total; i++)
            {
                var due = TimeSpan.FromMilliseconds(i * intervalMs) - clock.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due, TestContext.Current.CancellationToken);
                sent.Add(SendOne(i));
            }
            await Task.WhenAll(sent);
        }
        var elapsed = clock.Elapsed.TotalSeconds;

        // Every take happened after the first send and before the last answer (upper bound); from the
        // first answer to the last send the bucket was drained continuously, so no refill was lost (lower bound).
        var saturated = Math.Max(0, (lastSend - firstResponse) / (double)Stopwatch.Frequency);
        var upper = TwoSiloPostgresCluster.Burst + TwoSiloPostgresCluster.PerSecond * elapsed;
        var lower = TwoSiloPostgresCluster.Burst + TwoSiloPostgresCluster.PerSecond * saturated;
        var sum = accepted[0] + accepted[1];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rate limit, 2 silos, burst {TwoSiloPostgresCluster.Burst}, {TwoSiloPostgresCluster.PerSecond}/s, interval {intervalMs} ms: {total} requests in {elapsed:F3} s; accepted {sum} (silo A {accepted[0]}, silo B {accepted[1]}); bound [{lower:F1}, {upper:F1}]; accepted/upper = {sum / upper:F3}"));

        Assert.Equal(0, other);
        Assert.InRange(sum, (int)Math.Floor(lower) - 1, (int)Math.Ceiling(upper) + 1);
        Assert.True(accepted[0] > 0 && accepted[1] > 0, "both silos must have admitted requests from the one bucket");
    }

    [Fact]
    public async Task A_key_revoked_through_one_silo_is_refused_by_the_other_on_the_next_request()
    {
        using var account = await cluster.A.NewAccount();
        using var create = await account.Client.PostAsJsonAsync("/v1/api-keys", new { name = "roaming", scopes = new[] { "*" } }, cancellationToken: TestContext.Current.CancellationToken);
        var created = await create.Body();
        using var onB = cluster.B.ClientWithKey(created.Id("apiKey"));
        using var onA = cluster.A.ClientWithKey(created.Id("apiKey"));
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/v1/account", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("/v1/account", TestContext.Current.CancellationToken)).StatusCode);

        using var revoke = await account.Client.DeleteAsync($"/v1/api-keys/{created.Id("apiKeyId")}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);

        using var afterOnB = await onB.GetAsync("/v1/account", TestContext.Current.CancellationToken);
        using var afterOnA = await onA.GetAsync("/v1/account", TestContext.Current.CancellationToken);
        await afterOnB.AssertError(401, "invalid_api_key");
        await afterOnA.AssertError(401, "invalid_api_key");
        using var accountOnB = cluster.B.ClientWithKey(account.ApiKey);
        var listed = (await accountOnB.GetJson("/v1/api-keys")).GetProperty("apiKeys").EnumerateArray().Select(k => k.Id("apiKeyId"));
        Assert.DoesNotContain(created.Id("apiKeyId"), listed);
    }

    [Fact]
    public async Task A_retry_on_the_other_silo_replays_and_concurrent_retries_on_both_silos_create_the_licenses_once()
    {
        using var account = await cluster.A.NewAccount();
        using var viaB = cluster.B.ClientWithKey(account.ApiKey);
        var appId = (await account.Client.CreateApp()).Id("appId");
        var before = await IdempotencyWorld.CountLicenses(cluster.Database, sqlite: false);
        var body = $"{{\"appId\":\"{appId}\",\"quantity\":3}}";

        var first = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/licenses", body, "order-1");
        var retry = await IdempotencyWorld.Send(viaB, HttpMethod.Post, "/v1/licenses", body, "order-1");
        var raced = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            IdempotencyWorld.Send(i % 2 == 0 ? account.Client : viaB, HttpMethod.Post, "/v1/licenses", body, "order-2")));

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal((HttpStatusCode.Created, first.Body, "true"), (retry.Status, retry.Body, retry.Replayed));
        var racedCreated = raced.Where(r => r.Status == HttpStatusCode.Created).ToList();
        Assert.Single(racedCreated, r => r.Replayed is null);
        Assert.Single(racedCreated.Select(r => r.Body).Distinct());
        Assert.All(raced.Where(r => r.Status != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.Status));
        Assert.Equal(before + 6, await IdempotencyWorld.CountLicenses(cluster.Database, sqlite: false));
        var different = await IdempotencyWorld.Send(viaB, HttpMethod.Post, "/v1/licenses", body.Replace("3", "2"), "order-1");
        Assert.Equal(HttpStatusCode.Conflict, different.Status);
    }

    [Fact]
    public async Task A_5xx_is_not_stored_so_the_retry_with_the_same_key_runs()
    {
        using var account = await cluster.A.NewAccount();
        Assert.Equal(HttpStatusCode.OK, (await account.Client.GetAsync("/v1/api-keys", TestContext.Current.CancellationToken)).StatusCode); // key, account and bucket active
        var body = "{\"name\":\"after outage\",\"scopes\":[\"read:account\"]}";

        await IdempotencyWorld.Sql(cluster.Database, sqlite: false, "ALTER TABLE licensing_grain_state RENAME TO licensing_grain_state_away");
        Reply failed;
        try
        {
            failed = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, "outage-1");
        }
        finally
        {
            await IdempotencyWorld.Sql(cluster.Database, sqlite: false, "ALTER TABLE licensing_grain_state_away RENAME TO licensing_grain_state");
        }

        Assert.Equal(HttpStatusCode.InternalServerError, failed.Status);
        Assert.Contains("\"error\":\"internal_error\"", failed.Body);
        var retried = await Eventually.Succeeds(async () =>
        {
            var reply = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, "outage-1");
            return reply.Status == HttpStatusCode.Created ? reply : throw new InvalidOperationException($"{reply.Status}: {reply.Body}");
        }, TimeSpan.FromSeconds(30));
        Assert.Null(retried.Replayed);
        var again = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, "outage-1");
        Assert.Equal((retried.Body, "true"), (again.Body, again.Replayed));
        var names = (await account.Client.GetJson("/v1/api-keys")).GetProperty("apiKeys").EnumerateArray().Select(k => k.Id("name"));
        Assert.Single(names, n => n == "after outage");
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    private static void InterlockedMin(ref long target, long value)
    {
        long seen;
        while (value < (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
