using System.Net;
using System.Net.Http.Json;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.given;

namespace OrleansLicensing.Server.Developer.Account;

[Collection(SqliteServerCollection.Name)]
public sealed class AccountApiTests(SqliteServer server)
{
    [Fact]
    public async Task Get_account_answers_the_callers_own_account_and_balance()
    {
        using var account = await server.Host.NewAccount("Acme Tools", credits: 250);
        (await server.Host.Operator.PostAsJsonAsync($"/admin/v1/accounts/{account.AccountId}/credits", new { amount = 50, reason = "top-up" }, cancellationToken: TestContext.Current.CancellationToken)).Dispose();

        using var response = await account.Client.GetAsync("/v1/account", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Body();
        Assert.Equal(
            ["accountId", "name", "status", "credits", "createdAt"],
            body.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal((account.AccountId, "Acme Tools", "active", 300L),
            (body.Id("accountId"), body.Id("name"), body.Id("status"), body.GetProperty("credits").GetInt64()));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body.Id("createdAt"));
    }

    [Fact]
    public async Task Two_accounts_each_see_only_their_own_account()
    {
        using var a = await server.Host.NewAccount("A");
        using var b = await server.Host.NewAccount("B");

        var seenByA = await a.Client.GetJson("/v1/account");
        var seenByB = await b.Client.GetJson("/v1/account");

        Assert.Equal((a.AccountId, "A"), (seenByA.Id("accountId"), seenByA.Id("name")));
        Assert.Equal((b.AccountId, "B"), (seenByB.Id("accountId"), seenByB.Id("name")));
    }

    [Fact]
    public async Task Get_account_needs_the_read_account_scope()
    {
        using var account = await server.Host.NewAccount();
        using var appsOnly = server.Host.ClientWithKey(await server.Host.RegisterKey(account.AccountId, ["read:apps"]));
        using var accountOnly = server.Host.ClientWithKey(await server.Host.RegisterKey(account.AccountId, ["read:account"]));

        using var refused = await appsOnly.GetAsync("/v1/account", TestContext.Current.CancellationToken);
        using var allowed = await accountOnly.GetAsync("/v1/account", TestContext.Current.CancellationToken);

        await refused.AssertError(403, "forbidden");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Get_account_without_a_key_is_401()
    {
        using var response = await server.Host.Http.GetAsync("/v1/account", TestContext.Current.CancellationToken);

        await response.AssertError(401, "invalid_api_key");
    }
}
