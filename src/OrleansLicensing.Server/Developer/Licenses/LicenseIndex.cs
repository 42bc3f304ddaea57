using System.Globalization;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.Developer.Licenses;

/// <summary>Which licenses a listing shows by status (docs/developer-api.md §4.3 <c>status</c>).</summary>
public enum LicenseStatusFilter
{
    /// <summary>Not revoked and not expired.</summary>
    Active,
    /// <summary>Revoked (expired or not).</summary>
    Revoked,
    /// <summary>Not revoked, and the expiry has passed.</summary>
    Expired,
}

/// <summary>One listing query: an app, optional filters, and a keyset position.</summary>
/// <param name="AppId">The app (already checked to be the caller's).</param>
/// <param name="Status">Status filter, if any.</param>
/// <param name="Hwid">Only licenses with this HWID bound (exact match).</param>
/// <param name="LabelPrefix">Only licenses whose label starts with this (ordinal).</param>
/// <param name="BeforeSeq">Keyset: only rows created before this position (from the cursor).</param>
/// <param name="Limit">Page size.</param>
public sealed record LicenseQuery(string AppId, LicenseStatusFilter? Status, string? Hwid, string? LabelPrefix, long? BeforeSeq, int Limit);

/// <summary>
/// Reads the license listing index (<c>licensing_licenses</c>), which the license grains' own writes
/// keep in step (see <see cref="ProjectingStorageSerializer"/>). Newest first by creation order
/// (<c>seq</c>); the cursor is the last row's <c>seq</c>, so a page costs one index range scan
/// however many licenses the app has, and rows inserted meanwhile never shift later pages.
/// </summary>
public sealed class LicenseIndex(LicensingDatabase database)
{
    /// <summary>A page of licenses and the position after its last row (<c>null</c> on the last page).</summary>
    public async Task<(IReadOnlyList<LicenseSnapshot> Licenses, long? Next)> ListAsync(LicenseQuery query, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new System.Text.StringBuilder("SELECT seq, doc FROM licensing_licenses WHERE app_id = @app");
        command.AddParameter("app", query.AppId);
        if (query.BeforeSeq is { } before)
        {
            sql.Append(" AND seq < @before");
            command.AddParameter("before", before);
        }
        var revokedFalse = database.IsPostgres ? "NOT revoked" : "revoked = 0";
        switch (query.Status)
        {
            case LicenseStatusFilter.Revoked:
                sql.Append(database.IsPostgres ? " AND revoked" : " AND revoked = 1");
                break;
            case LicenseStatusFilter.Active:
                sql.Append($" AND {revokedFalse} AND (expires_at IS NULL OR expires_at > @now)");
                command.AddParameter("now", now.ToUnixTimeMilliseconds());
                break;
            case LicenseStatusFilter.Expired:
                sql.Append($" AND {revokedFalse} AND expires_at <= @now");
                command.AddParameter("now", now.ToUnixTimeMilliseconds());
                break;
        }
        if (query.LabelPrefix is { Length: > 0 } prefix)
        {
            // An index range: every label with the prefix sorts between it and it + the highest code point.
            sql.Append(" AND label >= @labelFrom AND label < @labelTo");
            // The listing row holds labels and HWIDs as IndexText.Clean made them; so do the filters.
            command.AddParameter("labelFrom", IndexText.Clean(prefix));
            command.AddParameter("labelTo", IndexText.Clean(prefix) + char.ConvertFromUtf32(0x10FFFF));
        }
        if (query.Hwid is not null)
        {
            sql.Append(" AND license_key IN (SELECT license_key FROM licensing_license_hwids WHERE app_id = @app AND hwid = @hwid)");
            command.AddParameter("hwid", IndexText.Clean(query.Hwid));
        }
        sql.Append(" ORDER BY seq DESC LIMIT @limit");
        command.AddParameter("limit", query.Limit + 1);
        command.CommandText = sql.ToString();

        var rows = new List<(long Seq, LicenseSnapshot License)>(query.Limit + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), LicenseDocument.Deserialize(reader.GetString(1))));
            }
        }
        var more = rows.Count > query.Limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        return (rows.Select(r => r.License).ToArray(), more ? rows[^1].Seq : null);
    }

    /// <summary>Keys of licenses whose expiry has passed and has not been announced yet (for the expiry sweep).</summary>
    public async Task<IReadOnlyList<string>> DueForExpiryAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = database.IsPostgres
            ? "SELECT license_key FROM licensing_licenses WHERE NOT expiry_notified AND expires_at IS NOT NULL AND expires_at <= @now ORDER BY expires_at LIMIT @limit"
            : "SELECT license_key FROM licensing_licenses WHERE expiry_notified = 0 AND expires_at IS NOT NULL AND expires_at <= @now ORDER BY expires_at LIMIT @limit";
        command.AddParameter("now", now.ToUnixTimeMilliseconds());
        command.AddParameter("limit", limit);
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) keys.Add(reader.GetString(0));
        return keys;
    }
}
