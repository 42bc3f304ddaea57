using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Auth.given;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Developer.Licenses.Offline;

/// <summary>Minting, listing and downloading offline files (docs/developer-api.md §4.3a) over real HTTP on SQLite.</summary>
[Collection(DeveloperRoutesCollection.Name)]
public sealed class OfflineFilesApiTests(DeveloperRoutesServer server) : DeveloperRoutesSpec(server.Host)
{
    private static readonly string Future = UtcIn(TimeSpan.FromDays(30));

    private static string UtcIn(TimeSpan delta) => (DateTimeOffset.UtcNow + delta).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    /// <summary>An activation request as the official SDKs write it (docs/protocol.md §18.4).</summary>
    internal static string ActivationRequest(string appId, string hwid)
    {
        var json = JsonSerializer.Serialize(new { v = 1, typ = "authforge-activation-request", appId, hwid, createdAt = "2026-12-05T10:00:00.000Z" });
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(body)))[..16];
        var wrapped = string.Join("\n", Enumerable.Range(0, (body.Length + 63) / 64).Select(i => body.Substring(i * 64, Math.Min(64, body.Length - i * 64))));
        return $"-----BEGIN AUTHFORGE ACTIVATION REQUEST-----\nVersion: 1\nApp-Id: {appId}\nChecksum: {checksum}\n\n{wrapped}\n-----END AUTHFORGE ACTIVATION REQUEST-----\n";
    }

    private static async Task<HttpResponseMessage> Mint(HttpClient client, string key, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/licenses/{key}/offline-files") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> MintOk(HttpClient client, string key, object body, string? idempotencyKey = null)
    {
        using var response = await Mint(client, key, body, idempotencyKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>An independent check over the raw bytes: armor, Ed25519 over ASCII(P), payload keys in the order of §18.2.</summary>
    private static JsonElement VerifyRaw(string file, string publicKey)
    {
        Assert.EndsWith("-----END AUTHFORGE SIGNATURE-----\n", file);
        Assert.DoesNotContain("\r", file);
        var lines = file.Split('\n');
        Assert.Equal("-----BEGIN AUTHFORGE LICENSE-----", lines[0]);
        Assert.Equal("Version: 1", lines[1]);
        var blank = Array.IndexOf(lines, "");
        var endLicense = Array.IndexOf(lines, "-----END AUTHFORGE LICENSE-----");
        var bodyLines = lines[(blank + 1)..endLicense];
        Assert.All(bodyLines, l => Assert.True(l.Length <= 64));
        var p = string.Concat(bodyLines);
        var signature = Convert.FromBase64String(string.Concat(lines[(endLicense + 2)..Array.IndexOf(lines, "-----END AUTHFORGE SIGNATURE-----")]));
        Assert.True(Ed25519Keys.Verify(Convert.FromBase64String(publicKey), Encoding.ASCII.GetBytes(p), signature), "the file's signature does not verify");
        var payload = JsonDocument.Parse(Convert.FromBase64String(p)).RootElement.Clone();
        var keys = payload.EnumerateObject().Select(m => m.Name).Where(n => n != "label").ToArray();
        Assert.Equal(["v", "typ", "appId", "licenseKey", "jti", "kid", "issuedAt", "expiresAt", "hwid", "licenseExpiresAt", "licenseVariables", "appVariables"], keys);
        Assert.Equal(1, payload.GetProperty("v").GetInt32());
        Assert.Equal("authforge-license", payload.GetProperty("typ").GetString());
        return payload;
    }

    [Fact]
    public async Task A_bound_file_is_signed_with_the_current_key_binds_its_hwids_and_costs_one_credit()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var created = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId = app.AppId, maxHwidSlots = 3, label = "Lab PC", variables = new { tier = "pro", seats = 3 } }, cancellationToken: TestContext.Current.CancellationToken);
        var key = (await created.Body()).GetProperty("licenses")[0].Id("licenseKey");
        var before = await Balance(account.AccountId);

        var minted = await MintOk(account.Client, key, new { expiresAt = Future, hwids = new[] { " machine-a ", "machine-a" }, activationRequest = ActivationRequest(app.AppId, "machine-b") });

        Assert.Equal(["machine-a", "machine-b"], minted.GetProperty("hwids").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(("bound", app.KeyId, app.AppId, key), (minted.Id("mode"), minted.Id("keyId"), minted.Id("appId"), minted.Id("licenseKey")));
        var payload = VerifyRaw(minted.Id("file"), app.PublicKey);
        Assert.Equal(minted.Id("fileId"), payload.Id("jti"));
        Assert.Equal(app.KeyId, payload.Id("kid"));
        Assert.Equal("Lab PC", payload.Id("label"));
        Assert.Equal("""{"mode":"bound","hwids":["machine-a","machine-b"]}""", payload.GetProperty("hwid").GetRawText());
        Assert.Equal("""{"seats":3,"tier":"pro"}""", payload.GetProperty("licenseVariables").GetRawText());
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("licenseExpiresAt").ValueKind);
        Assert.Equal(before - 1, await Balance(account.AccountId));

        var license = await account.Client.GetJson($"/v1/licenses/{key}");
        Assert.Equal(["machine-a", "machine-b"], license.GetProperty("hwidList").EnumerateArray().Select(h => h.Id("hwid")));
        var ledger = await account.Client.GetJson("/v1/account/ledger");
        Assert.Contains(ledger.GetProperty("entries").EnumerateArray(), e => e.Id("kind") == "offline_file" && e.GetProperty("delta").GetInt64() == -1);

        // Listed without the text, downloaded again byte for byte, also as the file itself.
        var listed = await account.Client.GetJson($"/v1/licenses/{key}/offline-files");
        var item = Assert.Single(listed.GetProperty("offlineFiles").EnumerateArray());
        Assert.False(item.TryGetProperty("file", out var __));
        Assert.Equal(minted.Id("fileId"), item.Id("fileId"));
        var again = await account.Client.GetJson($"/v1/licenses/{key}/offline-files/{minted.Id("fileId")}");
        Assert.Equal(minted.Id("file"), again.Id("file"));
        using var download = new HttpRequestMessage(HttpMethod.Get, $"/v1/licenses/{key}/offline-files/{minted.Id("fileId")}");
        download.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/x-authforge-license"));
        using var raw = await account.Client.SendAsync(download, TestContext.Current.CancellationToken);
        Assert.Equal("application/x-authforge-license", raw.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"attachment; filename=\"{key}.authforge\"", raw.Content.Headers.ContentDisposition?.ToString() ?? string.Join(",", raw.Headers.GetValues("Content-Disposition")));
        Assert.Equal(Encoding.UTF8.GetBytes(minted.Id("file")), await raw.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        // The event went through the durable outbox.
        await Eventually.True(async () => (await Host.EventsOf(account.AccountId)).Any(e => e.Type == "license.offline_file_issued"), Patience, () => Task.FromResult("offline_file_issued event"));
        var issued = (await Host.EventsOf(account.AccountId)).Single(e => e.Type == "license.offline_file_issued");
        Assert.Equal(minted.Id("fileId"), issued.Data.Id("fileId"));
        Assert.Equal("""["machine-a","machine-b"]""", issued.Data.GetProperty("hwids").GetRawText());
        Assert.Equal("bound", issued.Data.Id("mode"));
    }

    [Fact]
    public async Task A_file_whose_hwids_do_not_fit_is_409_and_binds_and_bills_nothing()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        await MintOk(account.Client, key, new { expiresAt = Future, hwids = new[] { "first" } });
        var balance = await Balance(account.AccountId);

        using (var full = await Mint(account.Client, key, new { expiresAt = Future, hwids = new[] { "first", "second" } })) await full.AssertError(409, "conflict");
        // An HWID already bound takes no new slot.
        await MintOk(account.Client, key, new { expiresAt = Future, hwids = new[] { "first" } });

        Assert.Equal(balance - 1, await Balance(account.AccountId));
        Assert.Equal(["first"], (await account.Client.GetJson($"/v1/licenses/{key}")).GetProperty("hwidList").EnumerateArray().Select(h => h.Id("hwid")));
        Assert.Equal(2, (await account.Client.GetJson($"/v1/licenses/{key}/offline-files")).GetProperty("offlineFiles").GetArrayLength());
    }

    [Fact]
    public async Task A_bound_hwid_stays_mintable_after_the_slots_are_lowered_below_the_bound_count()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var created = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId = app.AppId, maxHwidSlots = 2 }, cancellationToken: TestContext.Current.CancellationToken);
        var key = (await created.Body()).GetProperty("licenses")[0].Id("licenseKey");
        await MintOk(account.Client, key, new { expiresAt = Future, hwids = new[] { "first", "second" } });
        using (var lowered = await account.Client.PutAsJsonAsync($"/v1/licenses/{key}", new { action = "update", maxHwidSlots = 1 }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, lowered.StatusCode);
        }

        // As a validate of a bound HWID passes (§11.4), a file for it takes no slot.
        await MintOk(account.Client, key, new { expiresAt = Future, hwids = new[] { "second" } });

        using var refused = await Mint(account.Client, key, new { expiresAt = Future, hwids = new[] { "second", "third" } });
        var message = (await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("(2 of 1 used)", message);
        Assert.Equal(["first", "second"], (await account.Client.GetJson($"/v1/licenses/{key}")).GetProperty("hwidList").EnumerateArray().Select(h => h.Id("hwid")));
    }

    [Fact]
    public async Task The_hwid_of_an_activation_request_is_trimmed_like_a_listed_one()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        var balance = await Balance(account.AccountId);

        var minted = await MintOk(account.Client, key, new { expiresAt = Future, activationRequest = ActivationRequest(app.AppId, "  padded-hw  ") });
        // The same machine again, listed by hand: the one slot it holds already.
        await MintOk(account.Client, key, new { expiresAt = Future, hwids = new[] { "padded-hw" } });

        Assert.Equal(["padded-hw"], minted.GetProperty("hwids").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal("""{"mode":"bound","hwids":["padded-hw"]}""", VerifyRaw(minted.Id("file"), app.PublicKey).GetProperty("hwid").GetRawText());
        Assert.Equal(["padded-hw"], (await account.Client.GetJson($"/v1/licenses/{key}")).GetProperty("hwidList").EnumerateArray().Select(h => h.Id("hwid")));
        Assert.Equal(balance - 2, await Balance(account.AccountId));
    }

    [Fact]
    public async Task A_mint_beyond_the_files_a_license_keeps_is_409_naming_the_limit_and_charges_nothing()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        for (var i = 0; i < OrleansLicensing.Licenses.OfflineFileLimits.MaxFilesPerLicense; i++)
        {
            await MintOk(account.Client, key, new { expiresAt = Future, hwids = new[] { "the-machine" } });
        }
        var balance = await Balance(account.AccountId);

        using var refused = await Mint(account.Client, key, new { expiresAt = Future, hwids = new[] { "the-machine" } });

        await refused.AssertError(409, "conflict");
        Assert.Contains($"holds {OrleansLicensing.Licenses.OfflineFileLimits.MaxFilesPerLicense} offline files", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(balance, await Balance(account.AccountId));
    }

    [Fact]
    public async Task Bad_requests_are_400_with_details_and_change_nothing()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        var otherApp = (await account.Client.CreateApp()).Id("appId");
        var balance = await Balance(account.AccountId);
        var truncated = ActivationRequest(app.AppId, "machine")[..^60] + "\n-----END AUTHFORGE ACTIVATION REQUEST-----\n";

        foreach (var (body, detail) in new (object Body, string Detail)[]
                 {
                     (new { hwids = new[] { "a" } }, "expiresAt: required"),
                     (new { expiresAt = Future }, "hwids:"),
                     (new { expiresAt = Future, hwids = Array.Empty<string>() }, "hwids: 1 to 16"),
                     (new { expiresAt = Future, hwids = new[] { " " } }, "hwids: each HWID"),
                     (new { expiresAt = Future, mode = "everyone" }, "mode:"),
                     (new { expiresAt = Future, mode = "any" }, "mode: \"any\" needs"),
                     (new { expiresAt = UtcIn(TimeSpan.FromDays(-1)), hwids = new[] { "a" } }, "expiresAt: must be in the future"),
                     (new { expiresAt = Future, activationRequest = "hello" }, "activationRequest: malformed"),
                     (new { expiresAt = Future, activationRequest = ActivationRequest(otherApp, "m") }, "activationRequest: wrong_app"),
                     (new { expiresAt = Future, activationRequest = truncated }, "activationRequest: checksum_mismatch"),
                 })
        {
            using var response = await Mint(account.Client, key, body);
            var details = await response.AssertError(400, "bad_request");
            Assert.True(details.Any(d => d.StartsWith(detail, StringComparison.Ordinal)), $"{detail} not in [{string.Join(" | ", details)}]");
        }

        Assert.Equal(balance, await Balance(account.AccountId));
        Assert.Empty((await account.Client.GetJson($"/v1/licenses/{key}")).GetProperty("hwidList").EnumerateArray());
        Assert.Equal(0, (await account.Client.GetJson($"/v1/licenses/{key}/offline-files")).GetProperty("offlineFiles").GetArrayLength());
    }

    [Fact]
    public async Task Revoked_licenses_are_409_and_an_empty_balance_is_402()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var revoked = await NewApiLicense(account, app);
        using (var put = await account.Client.PutAsJsonAsync($"/v1/licenses/{revoked}", new { action = "revoke" }, cancellationToken: TestContext.Current.CancellationToken)) Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using (var response = await Mint(account.Client, revoked, new { expiresAt = Future, hwids = new[] { "a" } })) await response.AssertError(409, "conflict");

        using var poor = await Host.NewAccount("Poor", credits: 0);
        var poorApp = (await poor.Client.CreateApp()).Id("appId");
        var poorKey = (await poor.Client.CreateLicense(poorApp)).Id("licenseKey");
        using (var response = await Mint(poor.Client, poorKey, new { expiresAt = Future, hwids = new[] { "a" } })) await response.AssertError(402, "no_credits");
        Assert.Empty((await poor.Client.GetJson($"/v1/licenses/{poorKey}")).GetProperty("hwidList").EnumerateArray());
        Assert.Equal(0, (await poor.Client.GetJson($"/v1/licenses/{poorKey}/offline-files")).GetProperty("offlineFiles").GetArrayLength());
    }

    [Fact]
    public async Task An_expired_license_is_409_whatever_expiresAt_the_body_asks_for()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var created = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId = app.AppId, expiresAt = "2001-01-01T00:00:00Z" }, cancellationToken: TestContext.Current.CancellationToken);
        var key = (await created.Body()).GetProperty("licenses")[0].Id("licenseKey");
        var balance = (await account.Client.GetJson("/v1/account")).GetProperty("credits").GetInt64();

        foreach (var expiresAt in new[] { Future, null, "2000-06-01T00:00:00Z" })
        {
            using var response = await Mint(account.Client, key, new { expiresAt, hwids = new[] { "a" } });
            await response.AssertError(409, "conflict");
        }

        Assert.Equal(balance, (await account.Client.GetJson("/v1/account")).GetProperty("credits").GetInt64());
        Assert.Empty((await account.Client.GetJson($"/v1/licenses/{key}")).GetProperty("hwidList").EnumerateArray());
    }

    [Fact]
    public async Task A_file_may_not_outlive_its_license()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var licenseExpiry = UtcIn(TimeSpan.FromDays(10));
        var created = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId = app.AppId, expiresAt = licenseExpiry, maxHwidSlots = 2 }, cancellationToken: TestContext.Current.CancellationToken);
        var key = (await created.Body()).GetProperty("licenses")[0].Id("licenseKey");

        foreach (var expiresAt in new[] { UtcIn(TimeSpan.FromDays(11)), null })
        {
            using var response = await Mint(account.Client, key, new { expiresAt, hwids = new[] { "a" } });
            Assert.StartsWith("expiresAt: may not be later than the license's expiry", Assert.Single(await response.AssertError(400, "bad_request")));
        }
        var minted = await MintOk(account.Client, key, new { expiresAt = licenseExpiry, hwids = new[] { "a" } });
        var payload = VerifyRaw(minted.Id("file"), app.PublicKey);
        Assert.Equal(payload.Id("expiresAt"), payload.Id("licenseExpiresAt"));
        Assert.Equal(licenseExpiry.Replace("Z", ".000Z", StringComparison.Ordinal), payload.Id("expiresAt"));
    }

    [Fact]
    public async Task Any_mode_files_need_an_unlimited_license_and_bind_nothing()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var created = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId = app.AppId, unlimitedHwidSlots = true }, cancellationToken: TestContext.Current.CancellationToken);
        var key = (await created.Body()).GetProperty("licenses")[0].Id("licenseKey");

        var minted = await MintOk(account.Client, key, new { expiresAt = (string?)null, mode = "any" });
        var payload = VerifyRaw(minted.Id("file"), app.PublicKey);
        Assert.Equal("""{"mode":"any"}""", payload.GetProperty("hwid").GetRawText());
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("expiresAt").ValueKind);
        Assert.Contains("Expires-At: never\n", minted.Id("file"));
        Assert.Empty((await account.Client.GetJson($"/v1/licenses/{key}")).GetProperty("hwidList").EnumerateArray());
    }

    [Fact]
    public async Task Concurrent_mints_bind_exactly_the_free_slots_and_bill_exactly_the_files()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var created = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId = app.AppId, maxHwidSlots = 5 }, cancellationToken: TestContext.Current.CancellationToken);
        var key = (await created.Body()).GetProperty("licenses")[0].Id("licenseKey");
        var balance = await Balance(account.AccountId);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var response = await Mint(account.Client, key, new { expiresAt = Future, hwids = new[] { $"machine-{i}" } });
            return (response.StatusCode, Text: await response.Content.ReadAsStringAsync());
        }));

        Assert.Equal(5, attempts.Count(a => a.StatusCode == HttpStatusCode.Created));
        var refused = attempts.Where(a => a.StatusCode == HttpStatusCode.Conflict).ToArray();
        Assert.Equal(15, refused.Length);
        // Each refusal names the slots as the license decided it, not as the request first read them.
        Assert.All(refused, a => Assert.Contains("(5 of 5 used)", a.Text));
        Assert.Equal(balance - 5, await Balance(account.AccountId));
        Assert.Equal(5, (await account.Client.GetJson($"/v1/licenses/{key}")).GetProperty("hwidList").GetArrayLength());
        Assert.Equal(5, (await account.Client.GetJson($"/v1/licenses/{key}/offline-files")).GetProperty("offlineFiles").GetArrayLength());
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_file_once_billed_even_when_sent_concurrently()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var created = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId = app.AppId, maxHwidSlots = 4 }, cancellationToken: TestContext.Current.CancellationToken);
        var key = (await created.Body()).GetProperty("licenses")[0].Id("licenseKey");
        var balance = await Balance(account.AccountId);
        var body = new { expiresAt = Future, hwids = new[] { "machine" } };

        var first = await MintOk(account.Client, key, body, "mint-1");
        var replays = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            using var response = await Mint(account.Client, key, body, "mint-1");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        Assert.All(replays, r => Assert.Equal((HttpStatusCode.Created, first.GetRawText()), (r.StatusCode, JsonDocument.Parse(r.Item2).RootElement.GetRawText())));

        // Concurrent first attempts with one new key: one file; the others replay it or are told it is in progress.
        var racing = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await Mint(account.Client, key, body, "mint-2");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        Assert.All(racing, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Single(racing.Where(r => r.StatusCode == HttpStatusCode.Created).Select(r => JsonDocument.Parse(r.Item2).RootElement.Id("fileId")).Distinct());

        Assert.Equal(balance - 2, await Balance(account.AccountId));
        Assert.Equal(2, (await account.Client.GetJson($"/v1/licenses/{key}/offline-files")).GetProperty("offlineFiles").GetArrayLength());
    }

    [Fact]
    public async Task Scopes_and_tenancy_are_enforced_on_every_offline_route()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        using var intruder = await Host.NewAccount("Intruder");
        using var reader = await ClientWithScopes(account, "read:licenses");

        using (var response = await Mint(intruder.Client, key, new { expiresAt = Future, hwids = new[] { "a" } })) await response.AssertError(403, "forbidden");
        using (var response = await intruder.Client.GetAsync($"/v1/licenses/{key}/offline-files", TestContext.Current.CancellationToken)) await response.AssertError(403, "forbidden");
        using (var response = await Mint(reader, key, new { expiresAt = Future, hwids = new[] { "a" } })) await response.AssertError(403, "forbidden");
        using (var response = await reader.GetAsync($"/v1/licenses/{key}/offline-files", TestContext.Current.CancellationToken)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var response = await account.Client.GetAsync($"/v1/licenses/{key}/offline-files/{Guid.NewGuid()}", TestContext.Current.CancellationToken)) await response.AssertError(404, "not_found");
        using (var response = await intruder.Client.PostAsync($"/v1/apps/{app.AppId}/activation-requests", new StringContent(ActivationRequest(app.AppId, "m")), TestContext.Current.CancellationToken)) await response.AssertError(403, "forbidden");
    }

    [Fact]
    public async Task The_parse_route_reads_text_or_json_tolerates_an_email_around_it_and_names_problems()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var request = ActivationRequest(app.AppId, "customer-pc");
        var emailed = "\uFEFFHi, here is the file:\r\n" + request.Replace("\n", "\r\n", StringComparison.Ordinal) + "Thanks\r\n";

        using (var text = await account.Client.PostAsync($"/v1/apps/{app.AppId}/activation-requests", new StringContent(emailed, Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken))
        {
            Assert.True(text.StatusCode == HttpStatusCode.OK, await text.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            var parsed = await text.Body();
            Assert.Equal((app.AppId, "customer-pc", "2026-12-05T10:00:00Z"), (parsed.Id("appId"), parsed.Id("hwid"), parsed.Id("createdAt")));
        }
        using (var json = await account.Client.PostAsJsonAsync($"/v1/apps/{app.AppId}/activation-requests", new { request }, cancellationToken: TestContext.Current.CancellationToken))
        {
            Assert.Equal("customer-pc", (await json.Body()).Id("hwid"));
        }

        var otherApp = (await account.Client.CreateApp()).Id("appId");
        var license = "-----BEGIN AUTHFORGE LICENSE-----\nVersion: 1\n\nQUJD\n-----END AUTHFORGE LICENSE-----\n";
        var damaged = request.Replace("Checksum: ", "Checksum: 0", StringComparison.Ordinal);
        foreach (var (body, problem) in new[] { (ActivationRequest(otherApp, "m"), "wrong_app"), (license, "is_license_file"), (damaged, "checksum_mismatch"), ("nothing", "malformed") })
        {
            using var response = await account.Client.PostAsync($"/v1/apps/{app.AppId}/activation-requests", new StringContent(body), TestContext.Current.CancellationToken);
            var details = await response.AssertError(400, "bad_request");
            Assert.StartsWith($"request: {problem}", Assert.Single(details));
        }
    }
}
