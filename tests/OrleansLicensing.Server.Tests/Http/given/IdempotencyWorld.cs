using System.Data.Common;
using System.Net;
using System.Text.Json;

namespace OrleansLicensing.Server.Http.given;

/// <summary>A response reduced to what idempotency promises to repeat.</summary>
public sealed record Reply(HttpStatusCode Status, string Body, string? ContentType, string? Location, string? Replayed, string? RequestId);

public static class IdempotencyWorld
{
    /// <summary>Sends a request with an optional <c>Idempotency-Key</c> and a raw JSON body.</summary>
    public static async Task<Reply> Send(HttpClient client, HttpMethod method, string path, string? json, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        using var response = await client.SendAsync(request);
        return new Reply(
            response.StatusCode,
            await response.Content.ReadAsStringAsync(),
            response.Content.Headers.ContentType?.ToString(),
            response.Headers.Location?.ToString(),
            response.Headers.TryGetValues("Idempotent-Replayed", out var replayed) ? replayed.Single() : null,
            response.Headers.TryGetValues("X-Request-Id", out var id) ? id.Single() : null);
    }

    /// <summary>The license keys of a <c>POST /v1/licenses</c> answer.</summary>
    public static string[] LicenseKeys(string body) =>
        [.. JsonDocument.Parse(body).RootElement.GetProperty("licenses").EnumerateArray().Select(l => l.GetProperty("licenseKey").GetString()!)];

    /// <summary>Stored license grains in the database: what "created once" is checked against.</summary>
    public static async Task<long> CountLicenses(string connectionString, bool sqlite)
    {
        await using DbConnection connection = sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection(connectionString)
            : new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM licensing_grain_state WHERE grain_type_string = 'license'";
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Runs one statement (used to take a table away and give it back).</summary>
    public static async Task Sql(string connectionString, bool sqlite, string sql)
    {
        await using DbConnection connection = sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection(connectionString)
            : new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
