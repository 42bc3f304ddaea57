using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLicensing.Server.given;
using OrleansLicensing.Server.Hosting;
using OrleansLicensing.Server.Webhooks;

namespace OrleansLicensing.Server.Webhooks;

/// <summary>Dispatched events and finished deliveries older than the retention (30 days by default) are deleted; nothing else is.</summary>
[Collection(SqliteServerCollection.Name)]
public sealed class WebhookRetentionTests(SqliteServer server)
{
    [Fact]
    public async Task Pruning_removes_only_old_dispatched_events_and_old_finished_deliveries()
    {
        var account = $"acc_retention_{Guid.NewGuid():N}";
        var now = DateTimeOffset.UtcNow;
        var old = now.AddDays(-40).ToUnixTimeMilliseconds();
        var recent = now.AddDays(-1).ToUnixTimeMilliseconds();
        await Execute($"""
            INSERT INTO licensing_events (event_id, account_id, app_id, type, occurred_at, data, dispatched) VALUES
              ('evt_{account}_old_done', '{account}', NULL, 'credits.low', {old}, '{"{}"}', 1),
              ('evt_{account}_new_done', '{account}', NULL, 'credits.low', {recent}, '{"{}"}', 1);
            INSERT INTO licensing_webhook_deliveries (delivery_id, account_id, app_id, webhook_id, event_id, event_type, occurred_at, data, created_at, status, next_attempt_at) VALUES
              ('dlv_{account}_old_delivered', '{account}', 'a', 'wh_x', 'evt_1', 'credits.low', {old}, '{"{}"}', {old}, 'delivered', NULL),
              ('dlv_{account}_old_failed', '{account}', 'a', 'wh_x', 'evt_2', 'credits.low', {old}, '{"{}"}', {old}, 'failed', NULL),
              ('dlv_{account}_old_pending', '{account}', 'a', 'wh_x', 'evt_3', 'credits.low', {old}, '{"{}"}', {old}, 'pending', {now.AddDays(365).ToUnixTimeMilliseconds()}),
              ('dlv_{account}_new_delivered', '{account}', 'a', 'wh_x', 'evt_4', 'credits.low', {recent}, '{"{}"}', {recent}, 'delivered', NULL);
            """);

        var sweeper = server.Host.Services.GetServices<IHostedService>().OfType<WebhookSweeper>().Single();
        await sweeper.PruneAsync(CancellationToken.None);

        // (An undispatched event is never old for long: the sweeper dispatches it within seconds, so it is not staged here.)
        Assert.Equal([$"evt_{account}_new_done"],
            await Column($"SELECT event_id FROM licensing_events WHERE account_id = '{account}' ORDER BY event_id"));
        Assert.Equal([$"dlv_{account}_new_delivered", $"dlv_{account}_old_pending"],
            await Column($"SELECT delivery_id FROM licensing_webhook_deliveries WHERE account_id = '{account}' ORDER BY delivery_id"));
    }

    private async Task Execute(string sql)
    {
        await using var connection = await server.Host.Services.GetRequiredService<LicensingDatabase>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<string[]> Column(string sql)
    {
        await using var connection = await server.Host.Services.GetRequiredService<LicensingDatabase>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var values = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return [.. values];
    }
}
