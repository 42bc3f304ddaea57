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

    /// <summary>The request fingerprint as the server computes it (method, path, SHA-256 of the body), to plant rows.</summary>
    public static string Fingerprint(string method, string path, string body)
    {
        var bodyHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{method}\n{path}\n{bodyHash}")));
    }

    /// <summary>The license keys of a <c>POST /v1/licenses</c> answer.</summary>
    public static string[] LicenseKeys(string body) =>
        [.. JsonDocument.Parse(body).RootElement.GetProperty("licenses").EnumerateArray().Select(l => l.GetProperty("licenseKey").GetString()!)];

    /// <summary>Stored license grains in the database: what "created once" is checked against.</summary>
    public static Task<long> CountLicenses(string connectionString, bool sqlite) =>
        Scalar(connectionString, sqlite, "SELECT count(*) FROM licensing_grain_state WHERE grain_type_string = 'license'");

    /// <summary>The first column of the first row.</summary>
    public static async Task<long> Scalar(string connectionString, bool sqlite, string sql)
    {
        await using DbConnection connection = sqlite
            ? new Microsoft.Data.Sqlite.SqliteConnection(connectionString)
            : new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
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
