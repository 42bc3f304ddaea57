using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Hosting;

public sealed class RestartTests
{
    [Fact]
    public async Task Accounts_balances_and_the_generated_operator_token_survive_a_restart_on_SQLite()
    {
        using var data = new TempDirectory("restart");
        var settings = new Dictionary<string, string?> { ["Licensing:DataDirectory"] = data.Path }; // no token: generated
        string accountId;

        await using (var first = await LicensingTestHost.StartAsync(settings))
        {
            var token = (await File.ReadAllTextAsync(Path.Combine(data.Path, "operator-token"), TestContext.Current.CancellationToken)).Trim();
            Assert.StartsWith("op_", token);
            first.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var created = await first.Http.PostAsJsonAsync("/admin/v1/accounts", new { name = "Durable", credits = 70 }, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            accountId = (await created.Body()).GetProperty("accountId").GetString()!;
            using var grant = await first.Http.PostAsJsonAsync($"/admin/v1/accounts/{accountId}/credits", new { amount = 5, reason = "bonus" }, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        }

        await using var second = await LicensingTestHost.StartAsync(settings);
        var sameToken = (await File.ReadAllTextAsync(Path.Combine(data.Path, "operator-token"), TestContext.Current.CancellationToken)).Trim();
        second.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sameToken);
        var account = await second.Http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/v1/accounts/{accountId}", cancellationToken: TestContext.Current.CancellationToken);
        var list = await second.Http.GetFromJsonAsync<System.Text.Json.JsonElement>("/admin/v1/accounts", cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(("Durable", 75L), (account.GetProperty("name").GetString(), account.GetProperty("credits").GetInt64()));
        Assert.Contains(list.GetProperty("accounts").EnumerateArray(), a => a.GetProperty("accountId").GetString() == accountId);
    }
}
