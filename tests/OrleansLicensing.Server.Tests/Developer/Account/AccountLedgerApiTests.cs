using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Developer.Account;

[Collection(DeveloperRoutesCollection.Name)]
public sealed class AccountLedgerApiTests(DeveloperRoutesServer server) : DeveloperRoutesSpec(server.Host)
{
    private const string Timestamp = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$";

    /// <summary>Every entry, following cursors until the last page.</summary>
    internal static async Task<List<JsonElement>> ReadLedger(HttpClient client, int limit)
    {
        var entries = new List<JsonElement>();
        string? cursor = null;
        for (var page = 0; page < 1000; page++)
        {
            var body = await client.GetJson($"/v1/account/ledger?limit={limit}" + (cursor is null ? "" : $"&cursor={cursor}"));
            var items = body.GetProperty("entries").EnumerateArray().Select(e => e.Clone()).ToList();
            Assert.InRange(items.Count, 0, limit);
            entries.AddRange(items);
            cursor = body.GetProperty("cursor").GetString();
            if (cursor is null) return entries;
        }
        throw new InvalidOperationException("the cursor never ended");
    }

    internal static async Task Grant(LicensingTestHost host, string accountId, long amount)
    {
        using var response = await host.Operator.PostAsJsonAsync($"/admin/v1/accounts/{accountId}/credits", new { amount, reason = "top-up" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Newest first, each entry once, balances chained by their deltas.</summary>
    internal static void AssertChained(IReadOnlyList<JsonElement> entries, long balance)
    {
        var sequences = entries.Select(e => long.Parse(e.Id("entryId")["ent_".Length..])).ToList();
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i).Reverse(), sequences);
        Assert.Equal(balance, entries[0].GetProperty("balance").GetInt64());
        for (var i = 0; i + 1 < entries.Count; i++)
        {
            Assert.Equal(entries[i + 1].GetProperty("balance").GetInt64() + entries[i].GetProperty("delta").GetInt64(), entries[i].GetProperty("balance").GetInt64());
        }
    }

    [Fact]
    public async Task Pages_return_every_entry_exactly_once_newest_first()
    {
        using var account = await Host.NewAccount(credits: 10);
        using var other = await Host.NewAccount("Other", credits: 7);
        for (var i = 1; i <= 30; i++) await Grant(Host, account.AccountId, i);

        var entries = await ReadLedger(account.Client, limit: 7);

        Assert.Equal(31, entries.Count);
        AssertChained(entries, 10 + 30 * 31 / 2);
        var onePage = await ReadLedger(account.Client, limit: 200);
        Assert.Equal(entries.Select(e => e.GetRawText()), onePage.Select(e => e.GetRawText()));
        var newest = entries[0];
        Assert.Equal(["entryId", "at", "delta", "balance", "kind"], newest.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(("grant", 30L), (newest.Id("kind"), newest.GetProperty("delta").GetInt64()));
        Assert.Matches(Timestamp, newest.Id("at"));
        Assert.Single(await ReadLedger(other.Client, limit: 50));
    }

    [Fact]
    public async Task Usage_entries_name_their_app()
    {
        var (account, app) = await NewDeveloperApp();
        using var _ = account;
        var key = await NewApiLicense(account, app);
        await ValidatedPayload(app, key, "hwid-1");

        var entries = await ReadLedger(account.Client, limit: 50);

        var usage = entries[0];
        Assert.Equal(("validate", -1L, 999L, app.AppId), (usage.Id("kind"), usage.GetProperty("delta").GetInt64(), usage.GetProperty("balance").GetInt64(), usage.Id("appId")));
        Assert.Equal("grant", entries[^1].Id("kind"));
    }

    [Theory]
    [InlineData("?limit=0", "limit: must be an integer from 1 to 200")]
    [InlineData("?limit=500", "limit: must be an integer from 1 to 200")]
    [InlineData("?cursor=bm9wZQ", "cursor: not a cursor returned by this list")]
    [InlineData("?cursor=ZW50Oi0z", "cursor: not a cursor returned by this list")] // "ent:-3"
    [InlineData("?cursor=YXBwOjE", "cursor: not a cursor returned by this list")] // "app:1", another list's kind
    public async Task Bad_paging_is_a_400(string query, string detail)
    {
        using var account = await Host.NewAccount();

        using var response = await account.Client.GetAsync("/v1/account/ledger" + query, TestContext.Current.CancellationToken);

        Assert.Contains(detail, await response.AssertError(400, "bad_request"));
    }

    [Fact]
    public async Task Needs_read_account_and_shows_only_the_callers_ledger()
    {
        using var account = await Host.NewAccount(credits: 5);
        using var intruder = await Host.NewAccount("Intruder", credits: 3);
        using var without = await ClientWithScopes(account, "read:apps", "write:licenses", "read:logs");
        using var with = await ClientWithScopes(account, "read:account");
        using var anonymous = Host.ClientWithAuthorization(null);

        await SendExpectingError(without, HttpMethod.Get, "/v1/account/ledger", null, 403, "forbidden");
        await SendExpectingError(anonymous, HttpMethod.Get, "/v1/account/ledger", null, 401, "invalid_api_key");
        var own = await ReadLedger(with, limit: 10);
        var theirs = await ReadLedger(intruder.Client, limit: 10);

        Assert.Equal(5, Assert.Single(own).GetProperty("balance").GetInt64());
        Assert.Equal(3, Assert.Single(theirs).GetProperty("balance").GetInt64());
    }
}
