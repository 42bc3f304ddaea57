using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Http.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Http;

/// <summary>Two embedded servers: one with a small per-key limit (burst 3, 1/s), one with <c>Burst = 0</c> (no limit).</summary>
public sealed class RateLimitedServers : IAsyncLifetime
{
    private readonly TempDirectory _limitedData = new("rate-limited");
    private readonly TempDirectory _unlimitedData = new("rate-unlimited");

    public LicensingTestHost Limited { get; private set; } = null!;
    public LicensingTestHost Unlimited { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var limited = LicensingTestHost.SqliteSettings(_limitedData.Path);
        limited["Licensing:Api:RateLimits:Burst"] = "3";
        limited["Licensing:Api:RateLimits:PerSecond"] = "1";
        var unlimited = LicensingTestHost.SqliteSettings(_unlimitedData.Path);
        unlimited["Licensing:Api:RateLimits:Burst"] = "0";
        unlimited["Licensing:Api:RateLimits:PerSecond"] = "1";
        Limited = await LicensingTestHost.StartAsync(limited);
        Unlimited = await LicensingTestHost.StartAsync(unlimited);
    }

    public async ValueTask DisposeAsync()
    {
        await Limited.DisposeAsync();
        await Unlimited.DisposeAsync();
        _limitedData.Dispose();
        _unlimitedData.Dispose();
    }
}

/// <summary>The per-API-key limit of <c>/v1</c> (docs/developer-api.md §2) on a single silo.</summary>
public sealed class ApiRateLimitTests(RateLimitedServers servers) : IClassFixture<RateLimitedServers>
{
    [Fact]
    public async Task Requests_over_the_burst_are_429_with_a_whole_second_Retry_After_and_the_accepted_count_fits_the_bucket()
    {
        using var account = await servers.Limited.NewAccount();
        var clock = Stopwatch.StartNew();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++) responses.Add(await account.Client.GetAsync("/v1/account", TestContext.Current.CancellationToken));
        var elapsed = clock.Elapsed.TotalSeconds;

        Assert.All(responses.Take(3), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var accepted = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.InRange(accepted, 3, 3 + (int)Math.Floor(elapsed * 1) + 1);
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.NotEmpty(refused);
        foreach (var response in refused)
        {
            await response.AssertError(429, "rate_limited");
            var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), NumberStyles.None, CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 1); // one token at 1/s is at most a second away
            Assert.Single(response.Headers.GetValues("X-Request-Id"));
        }
        foreach (var response in responses) response.Dispose();
    }

    [Fact]
    public async Task The_limit_is_per_key_so_another_key_of_the_same_account_is_not_slowed()
    {
        using var account = await servers.Limited.NewAccount();
        using var create = await account.Client.PostAsJsonAsync("/v1/api-keys", new { name = "second", scopes = new[] { "*" } }, cancellationToken: TestContext.Current.CancellationToken);
        using var second = servers.Limited.ClientWithKey((await create.Body()).Id("apiKey"));
        await Eventually.True(async () =>
        {
            using var response = await account.Client.GetAsync("/v1/account");
            return response.StatusCode == HttpStatusCode.TooManyRequests;
        }, TimeSpan.FromSeconds(10));

        for (var i = 0; i < 3; i++)
        {
            using var response = await second.GetAsync("/v1/account", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_rate_limited_write_does_not_use_its_idempotency_key_up()
    {
        using var account = await servers.Limited.NewAccount();
        using var create = await account.Client.PostAsJsonAsync("/v1/api-keys", new { name = "reader", scopes = new[] { "read:account" } }, cancellationToken: TestContext.Current.CancellationToken);
        using var reader = servers.Limited.ClientWithKey((await create.Body()).Id("apiKey")); // its own bucket
        var body = "{\"name\":\"k\",\"scopes\":[\"read:account\"]}";

        // A fresh key per attempt until one attempt is refused: that key has seen nothing but a 429.
        string key = "";
        Reply? refused = null;
        await Eventually.True(async () =>
        {
            key = $"limited-{Guid.NewGuid()}";
            refused = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, key);
            return refused.Status == HttpStatusCode.TooManyRequests;
        }, TimeSpan.FromSeconds(10));
        var before = (await reader.GetJson("/v1/api-keys")).GetProperty("apiKeys").GetArrayLength();

        Reply? accepted = null;
        await Eventually.True(async () =>
        {
            accepted = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, key);
            return accepted.Status != HttpStatusCode.TooManyRequests;
        }, TimeSpan.FromSeconds(10));

        Assert.Contains("\"error\":\"rate_limited\"", refused!.Body);
        Assert.Equal(HttpStatusCode.Created, accepted!.Status);
        Assert.Null(accepted.Replayed);
        await Eventually.True(async () =>
        {
            using var response = await reader.GetAsync("/v1/api-keys");
            return response.StatusCode == HttpStatusCode.OK
                && (await response.Body()).GetProperty("apiKeys").GetArrayLength() == before + 1;
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Burst_0_disables_the_limit()
    {
        using var account = await servers.Unlimited.NewAccount();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var response = await account.Client.GetAsync("/v1/account");
            return response.StatusCode;
        }));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }
}
