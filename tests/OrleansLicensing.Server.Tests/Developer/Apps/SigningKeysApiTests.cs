using System.Net;
using System.Text.Json;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;

namespace OrleansLicensing.Server.Developer.Apps;

/// <summary>Staged signing-key rotation (docs/developer-api.md §4.2a) over HTTP, with its effect on <c>/auth/validate</c>.</summary>
[Collection(DeveloperRoutesCollection.Name)]
public sealed class SigningKeysApiTests(DeveloperRoutesServer server) : DeveloperRoutesSpec(server.Host)
{
    private static async Task<JsonElement> Post(HttpClient client, string path, int expected)
    {
        using var response = await client.PostAsync(path, null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string[] States(JsonElement list, string member) =>
        [.. list.GetProperty(member).EnumerateArray().Select(k => k.Id("keyId") + ":" + k.Id("state"))];

    [Fact]
    public async Task Next_key_is_published_at_once_but_signs_only_after_promotion()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        var oldKeyId = app.KeyId;

        var next = await Post(account.Client, $"/v1/apps/{app.AppId}/signing-keys", 201);
        var nextKeyId = next.Id("keyId");
        Assert.Equal("next", next.Id("state"));
        Assert.Equal(32, Convert.FromBase64String(next.Id("publicKey")).Length);
        Assert.False(next.TryGetProperty("promotedAt", out var _p));
        var listed = await account.Client.GetJson($"/v1/apps/{app.AppId}/signing-keys");
        Assert.Equal([oldKeyId + ":current", nextKeyId + ":next"], States(listed, "signingKeys"));
        var appObject = await account.Client.GetJson($"/v1/apps/{app.AppId}");
        Assert.Equal([nextKeyId + ":next", oldKeyId + ":current"], States(appObject, "publicKeys"));
        Assert.Equal(oldKeyId, appObject.Id("keyId"));

        // Still signed by the current key.
        await Login(app, key, "hwid-1");

        var promoted = await Post(account.Client, $"/v1/apps/{app.AppId}/signing-keys/{nextKeyId}/promote", 200);
        Assert.Equal("current", promoted.Id("state"));
        Assert.True(promoted.TryGetProperty("promotedAt", out var promotedAt) && promotedAt.ValueKind == JsonValueKind.String);

        // The very next response is signed with the promoted key and carries its keyId.
        var rotated = app with { PublicKey = next.Id("publicKey"), KeyId = nextKeyId };
        await Login(rotated, key, "hwid-1");
        var after = await account.Client.GetJson($"/v1/apps/{app.AppId}/signing-keys");
        Assert.Equal([nextKeyId + ":current", oldKeyId + ":previous"], States(after, "signingKeys"));
        Assert.Equal(nextKeyId, (await account.Client.GetJson($"/v1/apps/{app.AppId}")).Id("keyId"));
    }

    [Fact]
    public async Task Conflicts_are_409_and_change_nothing()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var next = (await Post(account.Client, $"/v1/apps/{app.AppId}/signing-keys", 201)).Id("keyId");
        var before = (await account.Client.GetJson($"/v1/apps/{app.AppId}")).GetRawText();

        using (var second = await account.Client.PostAsync($"/v1/apps/{app.AppId}/signing-keys", null, TestContext.Current.CancellationToken)) await second.AssertError(409, "conflict");
        using (var promoteCurrent = await account.Client.PostAsync($"/v1/apps/{app.AppId}/signing-keys/{app.KeyId}/promote", null, TestContext.Current.CancellationToken)) await promoteCurrent.AssertError(409, "conflict");
        using (var deleteCurrent = await account.Client.DeleteAsync($"/v1/apps/{app.AppId}/signing-keys/{app.KeyId}", TestContext.Current.CancellationToken)) await deleteCurrent.AssertError(409, "conflict");
        using (var oneStep = await account.Client.PostAsync($"/v1/apps/{app.AppId}/rotate-signing-key", null, TestContext.Current.CancellationToken)) await oneStep.AssertError(409, "conflict");
        using (var unknown = await account.Client.PostAsync($"/v1/apps/{app.AppId}/signing-keys/0123456789abcdef/promote", null, TestContext.Current.CancellationToken)) await unknown.AssertError(404, "not_found");
        using (var unknownDelete = await account.Client.DeleteAsync($"/v1/apps/{app.AppId}/signing-keys/0123456789abcdef", TestContext.Current.CancellationToken)) await unknownDelete.AssertError(404, "not_found");

        Assert.Equal(before, (await account.Client.GetJson($"/v1/apps/{app.AppId}")).GetRawText());
        Assert.Contains(next, before);
    }

    [Fact]
    public async Task Removing_the_next_or_a_previous_key_unpublishes_it()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;

        var abandoned = (await Post(account.Client, $"/v1/apps/{app.AppId}/signing-keys", 201)).Id("keyId");
        using (var removed = await account.Client.DeleteAsync($"/v1/apps/{app.AppId}/signing-keys/{abandoned}", TestContext.Current.CancellationToken)) Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal([app.KeyId + ":current"], States(await account.Client.GetJson($"/v1/apps/{app.AppId}/signing-keys"), "signingKeys"));

        // A new next key may follow; once promoted, the old key is previous and can go.
        var next = (await Post(account.Client, $"/v1/apps/{app.AppId}/signing-keys", 201)).Id("keyId");
        await Post(account.Client, $"/v1/apps/{app.AppId}/signing-keys/{next}/promote", 200);
        using (var removed = await account.Client.DeleteAsync($"/v1/apps/{app.AppId}/signing-keys/{app.KeyId}", TestContext.Current.CancellationToken)) Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var appObject = await account.Client.GetJson($"/v1/apps/{app.AppId}");
        Assert.Equal([next + ":current"], States(appObject, "publicKeys"));

        // The one-step rotation still works when nothing is pending and keeps the old key as previous.
        var oneStep = await Post(account.Client, $"/v1/apps/{app.AppId}/rotate-signing-key", 200);
        Assert.Equal([oneStep.Id("keyId") + ":current", next + ":previous"], States(oneStep, "publicKeys"));
    }

    [Fact]
    public async Task A_created_keys_location_answers_that_key_and_an_unknown_key_is_404()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        using var intruder = await Host.NewAccount("Intruder");

        using var created = await account.Client.PostAsync($"/v1/apps/{app.AppId}/signing-keys", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.ToString();
        var key = await created.Body();

        var fetched = await account.Client.GetJson(location);
        Assert.Equal(key.GetRawText(), fetched.GetRawText());
        Assert.Equal("current", (await account.Client.GetJson($"/v1/apps/{app.AppId}/signing-keys/{app.KeyId}")).Id("state"));
        using (var unknown = await account.Client.GetAsync($"/v1/apps/{app.AppId}/signing-keys/0000000000000000", TestContext.Current.CancellationToken)) await unknown.AssertError(404, "not_found");
        using (var foreign = await intruder.Client.GetAsync(location, TestContext.Current.CancellationToken)) await foreign.AssertError(403, "forbidden");
    }

    [Fact]
    public async Task Scopes_and_tenancy_are_enforced()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        using var intruder = await Host.NewAccount("Intruder");
        using var reader = await ClientWithScopes(account, "read:apps");
        var before = (await account.Client.GetJson($"/v1/apps/{app.AppId}")).GetRawText();

        using (var list = await intruder.Client.GetAsync($"/v1/apps/{app.AppId}/signing-keys", TestContext.Current.CancellationToken)) await list.AssertError(403, "forbidden");
        using (var create = await intruder.Client.PostAsync($"/v1/apps/{app.AppId}/signing-keys", null, TestContext.Current.CancellationToken)) await create.AssertError(403, "forbidden");
        using (var create = await reader.PostAsync($"/v1/apps/{app.AppId}/signing-keys", null, TestContext.Current.CancellationToken)) await create.AssertError(403, "forbidden");
        using (var list = await reader.GetAsync($"/v1/apps/{app.AppId}/signing-keys", TestContext.Current.CancellationToken)) Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using (var missing = await account.Client.GetAsync($"/v1/apps/{Guid.NewGuid()}/signing-keys", TestContext.Current.CancellationToken)) await missing.AssertError(404, "not_found");

        Assert.Equal(before, (await account.Client.GetJson($"/v1/apps/{app.AppId}")).GetRawText());
    }
}
