using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Testing;

/// <summary>One committed event of the durable outbox, as the database holds it.</summary>
public sealed record OutboxRow(string EventId, string Type, string AccountId, string? AppId, long OccurredAt, JsonElement Data);

/// <summary>Reads <c>licensing_events</c> of a running server (what the triggers committed).</summary>
public static class OutboxRows
{
    public static async Task<IReadOnlyList<OutboxRow>> EventsOf(this LicensingTestHost host, string accountId)
    {
        var database = host.Services.GetRequiredService<LicensingDatabase>();
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id, type, account_id, app_id, occurred_at, data FROM licensing_events WHERE account_id = @account ORDER BY seq";
        command.AddParameter("account", accountId);
        var rows = new List<OutboxRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new OutboxRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt64(4), JsonDocument.Parse(reader.GetString(5)).RootElement.Clone()));
        }
        return rows;
    }
}
