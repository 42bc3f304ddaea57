using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Auth;
using OrleansLicensing.Server.AuthLogs;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Apps;

/// <summary>
/// <c>GET /v1/apps/{appId}/logs</c> (docs/developer-api.md §4.2, scope <c>read:logs</c>): the app's
/// <c>/auth/*</c> outcomes, newest first, optionally only one <c>result</c>, one <c>licenseKey</c> or one <c>ip</c>.
/// Entries appear within about a second (they are stored in batches, see <see cref="AuthLog"/>).
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/apps/{appId}/logs"), Produces("application/json")]
public sealed class AppLogsController(AuthLogService logs) : ControllerBase
{
    /// <summary>A page of the app's auth log.</summary>
    [HttpGet(Name = "listAppLogs"), RequireScope(DeveloperScopes.ReadLogs)]
    public Task<AuthLogListResponse> List(
        string appId, [FromQuery] string? limit, [FromQuery] string? cursor, [FromQuery] string? result, [FromQuery] string? licenseKey, [FromQuery] string? ip) =>
        logs.PageAsync(HttpContext.ApiCaller(), appId, limit, cursor, result, licenseKey, ip, HttpContext.RequestAborted);
}

/// <summary>
/// Reads an app's <c>/auth/*</c> outcomes for one caller, newest first, optionally only one
/// <c>result</c>, one <c>licenseKey</c> or one client <c>ip</c>. <c>GET /v1/apps/{appId}/logs</c> and
/// the web console both call it.
/// </summary>
public sealed class AuthLogService(IGrainFactory grains, AuthLogStore store)
{
    private const string CursorKind = "log";

    private static readonly HashSet<string> Results =
        new(AuthErrors.All.Select(e => e.Code()).Append("success"), StringComparer.Ordinal);

    /// <summary>Every value the <c>result</c> filter accepts: <c>success</c> and the auth error codes.</summary>
    public static IReadOnlyCollection<string> ResultCodes => Results;

    /// <summary>A page of the app's auth log.</summary>
    public async Task<AuthLogListResponse> PageAsync(
        ApiCaller caller, string appId, string? limit, string? cursor, string? result, string? licenseKey, string? ip, CancellationToken cancellationToken)
    {
        var pageSize = Pagination.Limit(limit);
        var before = Pagination.Decode(CursorKind, cursor, ParseId);
        var details = new List<string>();
        if (result is not null && !Results.Contains(result)) details.Add("result: must be success or an auth error code (e.g. invalid_key)");
        string? key = null;
        if (licenseKey is not null)
        {
            key = LicenseKey.Canonicalize(licenseKey);
            if (key.Length is 0 or > AuthLogDraft.MaxLicenseKeyLength) details.Add($"licenseKey: must be 1-{AuthLogDraft.MaxLicenseKeyLength} characters");
        }
        string? address = null;
        if (ip is not null)
        {
            // Stored as the address's canonical text, so "::ffff:1.2.3.4" or "01.2.3.4" style spellings are normalized first.
            if (System.Net.IPAddress.TryParse(ip.Trim(), out var parsed)) address = (parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed).ToString();
            else details.Add("ip: not an IP address");
        }
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        var app = await grains.FindApp(caller, appId);
        // One more than asked tells whether another page exists, so the last page has a null cursor.
        var rows = await store.PageAsync(app.AppId, before, pageSize + 1, result, key, address, cancellationToken);
        var page = rows.Take(pageSize).ToList();
        var next = rows.Count > pageSize ? Pagination.Encode(CursorKind, page[^1].Id.ToString(CultureInfo.InvariantCulture)) : null;
        return new AuthLogListResponse([.. page.Select(r => AuthLogEntryResponse.From(r.Entry))], next);
    }

    private static long? ParseId(string key) =>
        long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id >= 1 ? id : null;
}

/// <summary>One auth log entry on the wire.</summary>
public sealed record AuthLogEntryResponse(
    DateTimeOffset At,
    string Endpoint,
    string Result,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LicenseKey,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Hwid,
    string Ip)
{
    /// <summary>The wire view of a stored entry.</summary>
    public static AuthLogEntryResponse From(AuthLogEntry entry) =>
        new(entry.At, entry.Endpoint, entry.Result, entry.LicenseKey, entry.Hwid, entry.Ip);
}

/// <summary>Answer of <c>GET /v1/apps/{appId}/logs</c>: entries newest first.</summary>
public sealed record AuthLogListResponse(IReadOnlyList<AuthLogEntryResponse> Logs, string? Cursor);
