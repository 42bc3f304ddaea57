using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Server.Developer.given;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// The overview's reads stay bounded on big apps: active licenses are counted from a covering index,
/// past days of the auth log are counted once and kept, today is counted live (real SQLite).
/// </summary>
[Collection(DeveloperRoutesCollection.Name)]
public sealed class OverviewQueriesTests(DeveloperRoutesServer server)
{
    private LicensingDatabase Database => server.Host.Services.GetRequiredService<LicensingDatabase>();
    private OverviewQueries Queries => server.Host.Services.GetRequiredService<OverviewQueries>();

    [Fact]
    public async Task Active_licenses_are_counted_from_the_covering_index_alone_and_leave_out_revoked_and_expired_ones()
    {
        var ct = TestContext.Current.CancellationToken;
        var plan = await PlanAsync(OverviewQueries.ActiveCountSql(postgres: false), ct, ("app", "x"), ("now", 0L));
        Assert.Equal(2, plan.Count(step => step.Contains("USING COVERING INDEX ix_licensing_licenses_app_active", StringComparison.Ordinal)));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN licensing_licenses", StringComparison.Ordinal));

        using var account = await server.Host.NewAccount("Counting Co", credits: 10);
        var appId = (await account.Client.CreateApp()).Id("appId");
        var expiry = DateTimeOffset.UtcNow.AddDays(10);
        using (var created = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId, quantity = 2, expiresAt = expiry }, ct)) created.EnsureSuccessStatusCode();
        using (var created = await account.Client.PostAsJsonAsync("/v1/licenses", new { appId, quantity = 2 }, ct)) created.EnsureSuccessStatusCode();
        var lifetime = await account.Client.GetFromJsonAsync<JsonElement>($"/v1/licenses?appId={appId}", ct);
        var revoke = lifetime.GetProperty("licenses").EnumerateArray().First(l => l.GetProperty("expiresAt").ValueKind == JsonValueKind.Null).GetProperty("licenseKey").GetString();
        using (var revoked = await account.Client.PutAsJsonAsync($"/v1/licenses/{revoke}", new { action = "revoke" }, ct)) revoked.EnsureSuccessStatusCode();

        Assert.Equal(3, await Queries.CountActiveAsync(appId, DateTimeOffset.UtcNow, ct));
        Assert.Equal(1, await Queries.CountActiveAsync(appId, expiry.AddSeconds(1), ct));
    }

    [Fact]
    public async Task Past_days_are_counted_once_and_kept_while_today_is_counted_live()
    {
        var ct = TestContext.Current.CancellationToken;
        var plan = await PlanAsync(OverviewQueries.DayCountSql(bounded: true), ct, ("app", "x"), ("low", 0L), ("high", 0L), ("from", 0L), ("to", 0L));
        Assert.Contains(plan, step => step.Contains("USING INDEX ix_licensing_auth_log_app", StringComparison.Ordinal) && step.Contains("id>? AND id<?", StringComparison.Ordinal));

        var appId = Guid.NewGuid().ToString("D");
        // A year ahead: the counts find a day's rows through the at index and assume the log is written
        // in time order, which rows inserted now with past times would break once other tests of the
        // collection have logged real requests (they did, depending on the order the classes ran in).
        var today = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(1);
        var now = new DateTimeOffset(today.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        var first = today.AddDays(-(AccountOverview.Days - 1));
        // Written in time order, as the log's writers do.
        await InsertAsync(appId, ct,
            (now.AddDays(-3).AddHours(-2), "success"), (now.AddDays(-3).AddHours(-1), "success"), (now.AddDays(-3), "invalid_key"),
            (now.AddDays(-1), "revoked"),
            (now.AddHours(-3), "success"));

        var expected = new[]
        {
            (today.AddDays(-3), "invalid_key", 1L), (today.AddDays(-3), "success", 2L), (today.AddDays(-1), "revoked", 1L), (today, "success", 1L),
        };
        Assert.Equal(expected, Sorted(await Queries.DailyResultsAsync([appId], first, now, ct)));
        Assert.Equal(AccountOverview.Days - 1, await ScalarAsync("SELECT COUNT(DISTINCT day) FROM licensing_auth_log_daily WHERE app_id = @app", appId, ct));

        // The log's rows go (retention): the days that are over keep their counts; today's are counted again, now none.
        await ExecuteAsync("DELETE FROM licensing_auth_log WHERE app_id = @app", appId, ct);
        Assert.Equal(expected[..3], Sorted(await Queries.DailyResultsAsync([appId], first, now, ct)));
    }

    private static (DateOnly, string, long)[] Sorted(IReadOnlyList<(string AppId, DateOnly Day, string Result, long Count)> rows) =>
        [.. rows.Select(r => (r.Day, r.Result, r.Count)).OrderBy(r => r.Day).ThenBy(r => r.Result, StringComparer.Ordinal)];

    private async Task<List<string>> PlanAsync(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var connection = await Database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in parameters) command.AddParameter(name, value);
        var steps = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) steps.Add(reader.GetString(3));
        return steps;
    }

    private async Task InsertAsync(string appId, CancellationToken ct, params (DateTimeOffset At, string Result)[] rows)
    {
        await using var turn = await Database.WriteGate.EnterAsync(ct);
        await using var connection = await Database.OpenAsync(ct);
        foreach (var (at, result) in rows)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO licensing_auth_log (app_id, at, endpoint, result, license_key, hwid, ip) VALUES (@app, @at, 'validate', @result, NULL, 'hwid', '203.0.113.1')";
            command.AddParameter("app", appId);
            command.AddParameter("at", at.ToUnixTimeMilliseconds());
            command.AddParameter("result", result);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private async Task ExecuteAsync(string sql, string appId, CancellationToken ct)
    {
        await using var turn = await Database.WriteGate.EnterAsync(ct);
        await using var connection = await Database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.AddParameter("app", appId);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<long> ScalarAsync(string sql, string appId, CancellationToken ct)
    {
        await using var connection = await Database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.AddParameter("app", appId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }
}
