using System.Net;
using System.Net.Http.Json;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Http.given;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Http;

/// <summary><c>Idempotency-Key</c> on <c>/v1</c> and <c>/admin/v1</c> against the embedded server.</summary>
[Collection(SqliteServerCollection.Name)]
public sealed class IdempotencyTests(SqliteServer server)
{
    private LicensingTestHost Host => server.Host;

    private string Database => StorageConnections.Sqlite(Path.Combine(server.DataDirectory, "licensing.db"));

    [Fact]
    public async Task A_retried_license_creation_replays_the_first_response_and_creates_the_licenses_once()
    {
        using var account = await Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var before = await IdempotencyWorld.CountLicenses(Database, sqlite: true);
        var key = $"create-{Guid.NewGuid()}";
        var body = $"{{\"appId\":\"{appId}\",\"quantity\":3}}";

        var first = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/licenses", body, key);
        var second = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/licenses", body, key);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.ContentType, second.ContentType);
        Assert.Null(first.Replayed);
        Assert.Equal("true", second.Replayed);
        Assert.NotEqual(first.RequestId, second.RequestId);
        Assert.Equal(3, IdempotencyWorld.LicenseKeys(first.Body).Length);
        Assert.Equal(before + 3, await IdempotencyWorld.CountLicenses(Database, sqlite: true));
    }

    [Fact]
    public async Task A_4xx_answer_is_stored_and_replayed_even_after_the_cause_is_gone()
    {
        using var account = await Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var key = $"bad-{Guid.NewGuid()}";
        var body = $"{{\"appId\":\"{appId}\",\"quantity\":0}}";

        var first = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/licenses", body, key);
        var second = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/licenses", body, key);

        Assert.Equal(HttpStatusCode.BadRequest, first.Status);
        Assert.Contains("\"error\":\"bad_request\"", first.Body);
        Assert.Equal((first.Status, first.Body), (second.Status, second.Body));
        Assert.Equal("true", second.Replayed);
    }

    [Fact]
    public async Task The_same_key_with_another_body_method_or_path_is_409_and_changes_nothing()
    {
        using var account = await Host.NewAccount();
        var appId = (await account.Client.CreateApp()).Id("appId");
        var key = $"reuse-{Guid.NewGuid()}";
        var first = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/licenses", $"{{\"appId\":\"{appId}\"}}", key);
        Assert.Equal(HttpStatusCode.Created, first.Status);
        var before = await IdempotencyWorld.CountLicenses(Database, sqlite: true);

        var otherBody = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/licenses", $"{{\"appId\":\"{appId}\",\"quantity\":2}}", key);
        var sameBodyOtherSpacing = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/licenses", $"{{ \"appId\":\"{appId}\"}}", key);
        var otherPath = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/apps", "{\"name\":\"App\"}", key);

        foreach (var reply in new[] { otherBody, sameBodyOtherSpacing, otherPath })
        {
            Assert.Equal(HttpStatusCode.Conflict, reply.Status);
            Assert.Contains("\"error\":\"conflict\"", reply.Body);
            Assert.Null(reply.Replayed);
        }
        Assert.Equal(before, await IdempotencyWorld.CountLicenses(Database, sqlite: true));
        var replay = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/licenses", $"{{\"appId\":\"{appId}\"}}", key);
        Assert.Equal(first.Body, replay.Body);
    }

    [Fact]
    public async Task A_key_of_more_than_255_characters_or_an_empty_one_is_400_and_255_are_accepted()
    {
        using var account = await Host.NewAccount();
        var body = "{\"name\":\"k\",\"scopes\":[\"read:account\"]}";

        var tooLong = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, new string('k', 256));
        var empty = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, "");
        var adminTooLong = await IdempotencyWorld.Send(Host.Operator, HttpMethod.Post, "/admin/v1/accounts", "{\"name\":\"x\"}", new string('k', 256));
        var longest = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, Guid.NewGuid().ToString("N") + new string('k', 223));

        foreach (var reply in new[] { tooLong, empty, adminTooLong })
        {
            Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
            Assert.Contains("Idempotency-Key: one value of 1 to 255 characters", reply.Body);
        }
        Assert.Equal(HttpStatusCode.Created, longest.Status);
        Assert.Equal(2, (await account.Client.GetJson("/v1/api-keys")).GetProperty("apiKeys").GetArrayLength());
    }

    [Fact]
    public async Task Keys_are_scoped_by_account_so_another_account_with_the_same_key_gets_its_own_effect()
    {
        using var a = await Host.NewAccount("A");
        using var b = await Host.NewAccount("B");
        var key = $"shared-{Guid.NewGuid()}";
        var body = "{\"name\":\"same\",\"scopes\":[\"read:account\"]}";

        var fromA = await IdempotencyWorld.Send(a.Client, HttpMethod.Post, "/v1/api-keys", body, key);
        var fromB = await IdempotencyWorld.Send(b.Client, HttpMethod.Post, "/v1/api-keys", body, key);

        Assert.Equal(HttpStatusCode.Created, fromB.Status);
        Assert.Null(fromB.Replayed);
        Assert.NotEqual(fromA.Body, fromB.Body);
        Assert.Equal(2, (await b.Client.GetJson("/v1/api-keys")).GetProperty("apiKeys").GetArrayLength());
    }

    [Fact]
    public async Task A_request_refused_before_it_runs_does_not_use_the_key_up()
    {
        using var account = await Host.NewAccount();
        using var readOnly = Host.ClientWithKey(await CreateKey(account.Client, "read:account"));
        using var anonymous = Host.ClientWithAuthorization(null);
        var key = $"later-{Guid.NewGuid()}";
        var body = "{\"name\":\"k\",\"scopes\":[\"read:account\"]}";

        var unauthenticated = await IdempotencyWorld.Send(anonymous, HttpMethod.Post, "/v1/api-keys", body, key);
        var forbidden = await IdempotencyWorld.Send(readOnly, HttpMethod.Post, "/v1/api-keys", body, key);
        var accepted = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, key);

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.Status);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Equal(HttpStatusCode.Created, accepted.Status);
        Assert.Null(accepted.Replayed);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_have_one_effect_and_the_others_replay_or_get_409()
    {
        using var account = await Host.NewAccount();
        var key = $"race-{Guid.NewGuid()}";
        var body = "{\"name\":\"raced\",\"scopes\":[\"read:account\"]}";

        var replies = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, key)));

        var created = replies.Where(r => r.Status == HttpStatusCode.Created).ToList();
        Assert.NotEmpty(created);
        Assert.Single(created.Select(r => r.Body).Distinct());
        Assert.Single(created, r => r.Replayed is null);
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.Created), r =>
        {
            Assert.Equal(HttpStatusCode.Conflict, r.Status);
            Assert.Contains("still in progress", r.Body);
        });
        Assert.Equal(2, (await account.Client.GetJson("/v1/api-keys")).GetProperty("apiKeys").GetArrayLength());
    }

    [Fact]
    public async Task A_retried_revoke_replays_204_instead_of_a_404()
    {
        using var account = await Host.NewAccount();
        var created = await account.Client.PostAsJsonAsync("/v1/api-keys", new { name = "k", scopes = new[] { "*" } }, cancellationToken: TestContext.Current.CancellationToken);
        var keyId = (await created.Body()).Id("apiKeyId");
        var key = $"revoke-{Guid.NewGuid()}";

        var first = await IdempotencyWorld.Send(account.Client, HttpMethod.Delete, $"/v1/api-keys/{keyId}", null, key);
        var second = await IdempotencyWorld.Send(account.Client, HttpMethod.Delete, $"/v1/api-keys/{keyId}", null, key);
        var withoutKey = await IdempotencyWorld.Send(account.Client, HttpMethod.Delete, $"/v1/api-keys/{keyId}", null, null);

        Assert.Equal((HttpStatusCode.NoContent, ""), (first.Status, first.Body));
        Assert.Equal((HttpStatusCode.NoContent, "", "true"), (second.Status, second.Body, second.Replayed));
        Assert.Equal(HttpStatusCode.NotFound, withoutKey.Status);
    }

    [Fact]
    public async Task The_operator_api_honours_the_key_too()
    {
        var key = $"acct-{Guid.NewGuid()}";
        var name = $"Idempotent {Guid.NewGuid():N}";
        var body = $"{{\"name\":\"{name}\",\"credits\":5}}";

        var first = await IdempotencyWorld.Send(Host.Operator, HttpMethod.Post, "/admin/v1/accounts", body, key);
        var second = await IdempotencyWorld.Send(Host.Operator, HttpMethod.Post, "/admin/v1/accounts", body, key);
        var otherBody = await IdempotencyWorld.Send(Host.Operator, HttpMethod.Post, "/admin/v1/accounts", body.Replace("5", "6"), key);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal((HttpStatusCode.Created, first.Body, first.Location, "true"), (second.Status, second.Body, second.Location, second.Replayed));
        Assert.NotNull(first.Location);
        Assert.Equal(HttpStatusCode.Conflict, otherBody.Status);
        var accounts = (await Host.Operator.GetJson("/admin/v1/accounts?limit=200")).GetProperty("accounts").EnumerateArray();
        Assert.Single(accounts, a => a.Id("name") == name);

        // The replayed first API key still works: it is the one that was created.
        using var client = Host.ClientWithKey(System.Text.Json.JsonDocument.Parse(second.Body).RootElement.Id("apiKey"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/account", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Reads_ignore_the_header()
    {
        using var account = await Host.NewAccount();
        var key = $"get-{Guid.NewGuid()}";

        var first = await IdempotencyWorld.Send(account.Client, HttpMethod.Get, "/v1/api-keys", null, key);
        await account.Client.PostAsJsonAsync("/v1/api-keys", new { name = "k", scopes = new[] { "*" } }, cancellationToken: TestContext.Current.CancellationToken);
        var second = await IdempotencyWorld.Send(account.Client, HttpMethod.Get, "/v1/api-keys", null, key);

        Assert.Null(second.Replayed);
        Assert.NotEqual(first.Body, second.Body);
    }

    [Fact]
    public async Task A_key_in_progress_is_409_until_its_lease_ends_and_then_the_request_runs()
    {
        using var account = await Host.NewAccount();
        var body = "{\"name\":\"k\",\"scopes\":[\"read:account\"]}";
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var fingerprint = IdempotencyWorld.Fingerprint("POST", "/v1/api-keys", body);
        // Rows as a request leaves them while it runs, or when its silo dies mid-request: claimed, never completed.
        await IdempotencyWorld.Sql(Database, sqlite: true,
            "INSERT INTO licensing_idempotency (scope, idempotency_key, fingerprint, claim_token, created_at) VALUES " +
            $"('{account.AccountId}', 'running', '{fingerprint}', 't1', {now}), ('{account.AccountId}', 'abandoned', '{fingerprint}', 't2', {now - (long)TimeSpan.FromMinutes(6).TotalMilliseconds})");

        var running = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, "running");
        var abandoned = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", body, "abandoned");

        Assert.Equal(HttpStatusCode.Conflict, running.Status);
        Assert.Contains("still in progress", running.Body);
        Assert.Equal(HttpStatusCode.Created, abandoned.Status);
        Assert.Null(abandoned.Replayed);
    }

    [Fact]
    public async Task A_key_older_than_24_hours_is_ignored_and_purged()
    {
        using var account = await Host.NewAccount();
        var key = $"old-{Guid.NewGuid()}";
        var first = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", "{\"name\":\"first\",\"scopes\":[\"*\"]}", key);
        Assert.Equal(HttpStatusCode.Created, first.Status);
        var age = (long)TimeSpan.FromHours(24).TotalMilliseconds + 60_000;
        await IdempotencyWorld.Sql(Database, sqlite: true, $"UPDATE licensing_idempotency SET created_at = created_at - {age} WHERE idempotency_key = '{key}'");

        var reused = await IdempotencyWorld.Send(account.Client, HttpMethod.Post, "/v1/api-keys", "{\"name\":\"second\",\"scopes\":[\"*\"]}", key);

        Assert.Equal(HttpStatusCode.Created, reused.Status);
        Assert.Null(reused.Replayed);
        Assert.Equal(3, (await account.Client.GetJson("/v1/api-keys")).GetProperty("apiKeys").GetArrayLength());

        await IdempotencyWorld.Sql(Database, sqlite: true, $"UPDATE licensing_idempotency SET created_at = created_at - {age} WHERE idempotency_key = '{key}'");
        var store = Host.Services.GetRequiredService<IdempotencyStore>();
        Assert.True(await store.PurgeAsync(DateTimeOffset.UtcNow - Idempotency.Window, CancellationToken.None) >= 1);
        Assert.Equal(0L, await IdempotencyWorld.Scalar(Database, sqlite: true, $"SELECT count(*) FROM licensing_idempotency WHERE idempotency_key = '{key}'"));
    }

    private static async Task<string> CreateKey(HttpClient client, params string[] scopes)
    {
        using var response = await client.PostAsJsonAsync("/v1/api-keys", new { name = "k", scopes });
        return (await response.Body()).Id("apiKey");
    }
}
