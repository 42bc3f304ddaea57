using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Orleans.Runtime;
using OrleansLicensing.Server.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Hosting;

public sealed class PostgresClusterTests
{
    [Fact]
    public async Task Two_silos_form_one_cluster_and_an_account_written_through_one_reads_back_through_the_other_after_it_stops()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        using var dataA = new TempDirectory("silo-a");
        using var dataB = new TempDirectory("silo-b");
        var clusterId = $"test-{Guid.NewGuid():N}";

        await using var siloA = await LicensingTestHost.StartAsync(LicensingTestHost.PostgresSettings(dataA.Path, database, clusterId));
        await using var siloB = await LicensingTestHost.StartAsync(LicensingTestHost.PostgresSettings(dataB.Path, database, clusterId));

        // One cluster: both silos see two active members in the project's membership table.
        var management = siloB.Grains.GetGrain<IManagementGrain>(0);
        await Eventually.True(async () => (await management.GetHosts(onlyActive: true)).Count == 2, TimeSpan.FromSeconds(30));
        Assert.Equal(2L, await ActiveMembers(database, clusterId));

        using var created = await siloA.Operator.PostAsJsonAsync("/admin/v1/accounts", new { name = "Clustered", credits = 40 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var accountId = (await created.Body()).GetProperty("accountId").GetString()!;
        using var grant = await siloA.Operator.PostAsJsonAsync($"/admin/v1/accounts/{accountId}/credits", new { amount = 2, reason = "welcome" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, grant.StatusCode);

        await siloA.StopAsync();
        await Eventually.True(async () => (await management.GetHosts(onlyActive: true)).Count == 1, TimeSpan.FromSeconds(30));

        var account = await siloB.Operator.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/v1/accounts/{accountId}", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(("Clustered", 42L), (account.GetProperty("name").GetString(), account.GetProperty("credits").GetInt64()));
        using var again = await siloB.Operator.PostAsJsonAsync($"/admin/v1/accounts/{accountId}/credits", new { amount = 8, reason = "after failover" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(50, (await again.Body()).GetProperty("credits").GetInt64());
    }

    private static async Task<long> ActiveMembers(string database, string clusterId)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM licensing_membership WHERE deployment_id = @id AND status = 3", connection);
        command.Parameters.AddWithValue("id", clusterId);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
