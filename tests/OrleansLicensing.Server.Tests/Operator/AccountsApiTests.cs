using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Data.Sqlite;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Operator;

[Collection(SqliteServerCollection.Name)]
public sealed class AccountsApiTests(SqliteServer server)
{
    private HttpClient Operator => server.Host.Operator;

    private async Task<(string Id, string ApiKey)> CreateAccount(string name = "Acme", long credits = 0)
    {
        using var response = await Operator.PostAsJsonAsync("/admin/v1/accounts", new { name, credits });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Body();
        return (body.GetProperty("accountId").GetString()!, body.GetProperty("apiKey").GetString()!);
    }

    private async Task<long> Balance(string accountId)
    {
        var account = await Operator.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/v1/accounts/{accountId}");
        return account.GetProperty("credits").GetInt64();
    }

    [Fact]
    public async Task Create_answers_201_with_the_account_and_a_live_key_shown_only_once()
    {
        using var response = await Operator.PostAsJsonAsync("/admin/v1/accounts", new { name = "Acme Tools", email = "billing@acme.test", credits = 500 }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Body();
        var id = body.GetProperty("accountId").GetString()!;
        Assert.Matches("^acc_[0-9a-z]{26}$", id);
        Assert.Matches("^af_live_[0-9A-Za-z]{40}$", body.GetProperty("apiKey").GetString()!);
        Assert.Equal(("Acme Tools", "billing@acme.test", "active", 500L), (body.GetProperty("name").GetString(), body.GetProperty("email").GetString(), body.GetProperty("status").GetString(), body.GetProperty("credits").GetInt64()));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body.GetProperty("createdAt").GetString()!);
        Assert.Equal($"/admin/v1/accounts/{id}", response.Headers.Location?.OriginalString);

        var read = await (await Operator.GetAsync($"/admin/v1/accounts/{id}", TestContext.Current.CancellationToken)).Body();
        Assert.Equal(500, read.GetProperty("credits").GetInt64());
        Assert.False(read.TryGetProperty("apiKey", out _));
    }

    [Fact]
    public async Task The_api_key_is_stored_only_as_a_hash()
    {
        var (_, apiKey) = await CreateAccount();

        await using var connection = new SqliteConnection(Hosting.StorageConnections.Sqlite(Path.Combine(server.DataDirectory, "licensing.db")));
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var payloads = await AllPayloads(connection);

        Assert.NotEmpty(payloads);
        foreach (var payload in payloads)
        {
            Assert.Equal(-1, payload.AsSpan().IndexOf(Encoding.UTF8.GetBytes(apiKey)));
            Assert.Equal(-1, payload.AsSpan().IndexOf(Encoding.UTF8.GetBytes(apiKey["af_live_".Length..])));
        }
        var hash = Encoding.UTF8.GetBytes(Security.ApiKeys.Hash(apiKey));
        Assert.Contains(payloads, p => p.AsSpan().IndexOf(hash) >= 0);
    }

    private static async Task<List<byte[]>> AllPayloads(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload_binary FROM licensing_grain_state WHERE payload_binary IS NOT NULL";
        await using var reader = await command.ExecuteReaderAsync();
        var payloads = new List<byte[]>();
        while (await reader.ReadAsync()) payloads.Add((byte[])reader[0]);
        return payloads;
    }

    [Theory]
    [InlineData("{}", "name: required")]
    [InlineData("{\"name\":\"  \"}", "name: required")]
    [InlineData("{\"name\":42}", "name: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"a\",\"credits\":\"10\"}", "credits: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"a\",\"credits\":-1}", "credits: must be an integer >= 0")]
    [InlineData("{\"name\":\"a\",\"credits\":1.5}", "credits: has the wrong type or an unknown value")]
    [InlineData("{\"name\":\"a\",\"plan\":\"gold\"}", "plan: unknown field")]
    [InlineData("{\"name\":\"a\",\"email\":\"not an email\"}", "email: not an email address")]
    [InlineData("{\"name\":", "name: malformed JSON")]
    [InlineData("[1,2]", "body: has the wrong type or an unknown value")]
    [InlineData("", "body: a JSON body is required")]
    public async Task Create_with_bad_input_is_a_400_with_details_and_creates_nothing(string body, string detail)
    {
        var before = await CountAccounts();

        using var response = await Operator.PostAsync("/admin/v1/accounts", Json.Raw(body), TestContext.Current.CancellationToken);

        var details = await response.AssertError(400, "bad_request");
        Assert.Contains(detail, details);
        Assert.Equal(before, await CountAccounts());
    }

    private async Task<int> CountAccounts()
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await Operator.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/v1/accounts?limit=200{(cursor is null ? "" : $"&cursor={cursor}")}");
            count += page.GetProperty("accounts").GetArrayLength();
            cursor = page.GetProperty("cursor").GetString();
        } while (cursor is not null);
        return count;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token-wrong-token")]
    [InlineData("Basic dGVzdDp0ZXN0")]
    [InlineData("Bearer " + LicensingTestHost.OperatorToken + "x")]
    public async Task Operator_routes_without_the_operator_token_are_401_and_change_nothing(string? authorization)
    {
        var before = await CountAccounts();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/accounts") { Content = JsonContent.Create(new { name = "intruder" }) };
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await server.Host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        using var list = await server.Host.Http.GetAsync("/admin/v1/accounts", TestContext.Current.CancellationToken);

        await response.AssertError(401, "invalid_api_key");
        await list.AssertError(401, "invalid_api_key");
        Assert.Equal(before, await CountAccounts());
    }

    [Fact]
    public async Task Grants_and_corrections_move_the_balance_and_return_the_ledger_entry()
    {
        var (id, _) = await CreateAccount(credits: 10);

        using var grant = await Operator.PostAsJsonAsync($"/admin/v1/accounts/{id}/credits", new { amount = 90, reason = "invoice 42" }, cancellationToken: TestContext.Current.CancellationToken);
        using var correction = await Operator.PostAsJsonAsync($"/admin/v1/accounts/{id}/credits", new { amount = -25, reason = "double grant" }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        var granted = await grant.Body();
        Assert.Equal((id, 100L), (granted.GetProperty("accountId").GetString(), granted.GetProperty("credits").GetInt64()));
        Assert.Matches("^ent_\\d+$", granted.GetProperty("entryId").GetString()!);
        Assert.Equal(75, (await correction.Body()).GetProperty("credits").GetInt64());
        Assert.Equal(75, await Balance(id));
    }

    [Fact]
    public async Task A_correction_below_zero_is_a_400_and_changes_nothing()
    {
        var (id, _) = await CreateAccount(credits: 10);

        using var response = await Operator.PostAsJsonAsync($"/admin/v1/accounts/{id}/credits", new { amount = -11, reason = "too much" }, cancellationToken: TestContext.Current.CancellationToken);

        await response.AssertError(400, "bad_request");
        Assert.Equal(10, await Balance(id));
    }

    [Fact]
    public async Task A_grant_past_the_largest_balance_is_a_400_that_says_so_and_changes_nothing()
    {
        var (id, _) = await CreateAccount(credits: long.MaxValue - 5);

        using var response = await Operator.PostAsJsonAsync($"/admin/v1/accounts/{id}/credits", new { amount = 6, reason = "one too many" }, cancellationToken: TestContext.Current.CancellationToken);
        using var fits = await Operator.PostAsJsonAsync($"/admin/v1/accounts/{id}/credits", new { amount = 5, reason = "up to the top" }, cancellationToken: TestContext.Current.CancellationToken);

        var details = await response.AssertError(400, "bad_request");
        Assert.Contains(details, d => d.StartsWith("amount:", StringComparison.Ordinal) && d.Contains("largest balance", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal(long.MaxValue, await Balance(id));
    }

    [Theory]
    [InlineData("{\"name\":\"Ac\\u0000me\"}", "name: must not contain control characters (line breaks, tabs, U+0000)")]
    [InlineData("{\"name\":\"two\\nlines\"}", "name: must not contain control characters (line breaks, tabs, U+0000)")]
    public async Task A_name_with_control_characters_is_a_400_and_creates_nothing(string body, string detail)
    {
        var before = await CountAccounts();

        using var response = await Operator.PostAsync("/admin/v1/accounts", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
        Assert.Equal(before, await CountAccounts());
    }

    [Theory]
    [InlineData("bearer ")]
    [InlineData("BEARER ")]
    [InlineData("Bearer  ")]
    public async Task The_bearer_scheme_is_read_in_any_case(string scheme)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/v1/accounts");
        request.Headers.TryAddWithoutValidation("Authorization", scheme + LicensingTestHost.OperatorToken);

        using var response = await server.Host.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("{\"amount\":0,\"reason\":\"x\"}", "amount: must not be 0 (negative = correction)")]
    [InlineData("{\"reason\":\"x\"}", "amount: required")]
    [InlineData("{\"amount\":5}", "reason: required")]
    [InlineData("{\"amount\":\"5\",\"reason\":\"x\"}", "amount: has the wrong type or an unknown value")]
    [InlineData("{\"amount\":5,\"reason\":\"x\",\"kind\":\"grant\"}", "kind: unknown field")]
    public async Task Credit_changes_with_bad_input_are_400_and_change_nothing(string body, string detail)
    {
        var (id, _) = await CreateAccount(credits: 10);

        using var response = await Operator.PostAsync($"/admin/v1/accounts/{id}/credits", Json.Raw(body), TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
        Assert.Equal(10, await Balance(id));
    }

    [Fact]
    public async Task A_retried_grant_with_the_same_idempotency_key_is_applied_once()
    {
        var (id, _) = await CreateAccount();

        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/v1/accounts/{id}/credits") { Content = JsonContent.Create(new { amount = 40, reason = "order 7" }) };
            request.Headers.Add("Idempotency-Key", "order-7");
            using var response = await Operator.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(40, (await response.Body()).GetProperty("credits").GetInt64());
        }

        Assert.Equal(40, await Balance(id));
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("POST", "/credits")]
    [InlineData("POST", "/suspend")]
    [InlineData("POST", "/reactivate")]
    public async Task Unknown_or_malformed_account_ids_are_404(string method, string suffix)
    {
        foreach (var id in new[] { ResourceId.New("acc", DateTimeOffset.UtcNow), "acc_nope", "12345" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), $"/admin/v1/accounts/{id}{suffix}");
            if (suffix == "/credits") request.Content = JsonContent.Create(new { amount = 5, reason = "x" });
            else if (method == "POST") request.Content = JsonContent.Create(new { reason = "x" });
            using var response = await Operator.SendAsync(request, TestContext.Current.CancellationToken);
            await response.AssertError(404, "not_found");
        }
    }

    [Fact]
    public async Task Suspend_and_reactivate_change_the_status()
    {
        var (id, _) = await CreateAccount();

        using var suspend = await Operator.PostAsJsonAsync($"/admin/v1/accounts/{id}/suspend", new { reason = "unpaid" }, cancellationToken: TestContext.Current.CancellationToken);
        var suspended = await suspend.Body();
        var read = await Operator.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/v1/accounts/{id}", cancellationToken: TestContext.Current.CancellationToken);
        using var reactivate = await Operator.PostAsync($"/admin/v1/accounts/{id}/reactivate", null, TestContext.Current.CancellationToken);

        Assert.Equal(("suspended", "unpaid"), (suspended.GetProperty("status").GetString(), suspended.GetProperty("statusReason").GetString()));
        Assert.Equal("suspended", read.GetProperty("status").GetString());
        Assert.Equal("active", (await reactivate.Body()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reactivating_an_active_account_changes_nothing_not_even_its_status_reason()
    {
        var ct = TestContext.Current.CancellationToken;
        var (id, _) = await CreateAccount();
        (await Operator.PostAsJsonAsync($"/admin/v1/accounts/{id}/suspend", new { reason = "unpaid" }, ct)).Dispose();
        (await Operator.PostAsJsonAsync($"/admin/v1/accounts/{id}/reactivate", new { reason = "paid on 2026-12-01" }, ct)).Dispose();

        using var again = await Operator.PostAsJsonAsync($"/admin/v1/accounts/{id}/reactivate", new { reason = "clicked twice" }, ct);
        var againBody = await again.Body();
        using var withoutBody = await Operator.PostAsync($"/admin/v1/accounts/{id}/reactivate", null, ct);
        var withoutBodyBody = await withoutBody.Body();
        var read = await Operator.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/v1/accounts/{id}", ct);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(("active", "paid on 2026-12-01"), (againBody.GetProperty("status").GetString(), againBody.GetProperty("statusReason").GetString()));
        Assert.Equal("paid on 2026-12-01", withoutBodyBody.GetProperty("statusReason").GetString());
        Assert.Equal(("active", "paid on 2026-12-01"), (read.GetProperty("status").GetString(), read.GetProperty("statusReason").GetString()));
    }

    [Fact]
    public async Task Listing_pages_with_a_cursor_loses_and_repeats_nothing_while_accounts_are_created()
    {
        var created = new List<string>();
        for (var i = 0; i < 7; i++) created.Add((await CreateAccount($"pager {i}")).Id);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            using var response = await Operator.GetAsync($"/admin/v1/accounts?limit=3{(cursor is null ? "" : $"&cursor={cursor}")}", TestContext.Current.CancellationToken);
            var page = await response.Body();
            var ids = page.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("accountId").GetString()!).ToList();
            Assert.InRange(ids.Count, 0, 3);
            seen.AddRange(ids);
            cursor = page.GetProperty("cursor").GetString();
            if (pages++ == 1) created.Add((await CreateAccount("created while paging")).Id);
        } while (cursor is not null);

        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Superset(created.ToHashSet(), seen.ToHashSet());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("limit=ten")]
    [InlineData("cursor=not-a-cursor")]
    public async Task Listing_with_a_bad_limit_or_cursor_is_400(string query)
    {
        using var response = await Operator.GetAsync($"/admin/v1/accounts?{query}", TestContext.Current.CancellationToken);

        await response.AssertError(400, "bad_request");
    }
}
