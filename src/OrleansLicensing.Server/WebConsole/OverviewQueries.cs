using System.Data.Common;
using OrleansLicensing.Server.AuthLogs;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// The overview's reads, each bounded however many licenses and log rows an app has
/// (docs/console.md, "Overview at scale"):
/// <list type="bullet">
/// <item>Active licenses: two index-only range counts on <c>ix_licensing_licenses_app_active</c>.</item>
/// <item>Outcomes per day: a day that is over is counted once from the auth log (the app's rows of that
/// day, found through the id range the <c>at</c> index gives) and kept in <c>licensing_auth_log_daily</c>;
/// afterwards it is one primary-key range read. Only today is counted live.</item>
/// <item>Last failures: among each app's newest <see cref="RecentWindow"/> outcomes.</item>
/// </list>
/// </summary>
public sealed class OverviewQueries(LicensingDatabase database)
{
    /// <summary>How many of an app's newest outcomes the "last failures" list looks through.</summary>
    public const int RecentWindow = 10_000;

    private const long DayMs = 86_400_000;

    // Rows are written in batches by each silo, so ids follow time only roughly; the id range of a day
    // is taken this much wider on both sides and the rows are then filtered by their time.
    private static readonly long SlackMs = (long)TimeSpan.FromMinutes(5).TotalMilliseconds;

    /// <summary>How many of the app's licenses are active (not revoked, not expired) at <paramref name="now"/>.</summary>
    public async Task<long> CountActiveAsync(string appId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = ActiveCountSql(database.IsPostgres);
        command.AddParameter("app", appId);
        command.AddParameter("now", now.ToUnixTimeMilliseconds());
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken));
    }

    /// <summary>Outcomes per app, UTC day and result of the given apps, from <paramref name="first"/> to the day of <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<(string AppId, DateOnly Day, string Result, long Count)>> DailyResultsAsync(
        IReadOnlyList<string> appIds, DateOnly first, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = new List<(string, DateOnly, string, long)>();
        var firstDay = DayNumber(first);
        var today = now.ToUnixTimeMilliseconds() / DayMs;
        // Days whose end is more than the slack ago: every batch of them has been written.
        var lastSettled = (now.ToUnixTimeMilliseconds() - SlackMs) / DayMs - 1;
        foreach (var appId in appIds)
        {
            var counted = await ReadSettledAsync(appId, firstDay, lastSettled, cancellationToken);
            for (var day = firstDay; day <= lastSettled; day++)
            {
                if (counted.ContainsKey(day)) continue;
                var fresh = await CountDayAsync(appId, day * DayMs, (day + 1) * DayMs, cancellationToken);
                await StoreSettledAsync(appId, day, fresh, cancellationToken);
                counted[day] = fresh;
            }
            for (var day = lastSettled + 1; day <= today; day++)
            {
                if (day >= firstDay) counted[day] = await CountDayAsync(appId, day * DayMs, (day + 1) * DayMs, cancellationToken);
            }
            foreach (var (day, results) in counted)
            {
                foreach (var (result, count) in results)
                {
                    if (result.Length > 0 && count > 0) rows.Add((appId, DayOf(day), result, count));
                }
            }
        }
        return rows;
    }

    /// <summary>The newest failed outcomes over the given apps, each app looked through only as far as its newest <see cref="RecentWindow"/> outcomes.</summary>
    public async Task<IReadOnlyList<AuthLogEntry>> RecentFailuresAsync(IReadOnlyList<string> appIds, int limit, CancellationToken cancellationToken)
    {
        var found = new List<(long Id, AuthLogEntry Entry)>();
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var appId in appIds)
        {
            await using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT id, app_id, at, endpoint, result, license_key, hwid, ip FROM " +
                "(SELECT id, app_id, at, endpoint, result, license_key, hwid, ip FROM licensing_auth_log WHERE app_id = @app ORDER BY id DESC LIMIT @window) recent " +
                "WHERE result <> 'success' ORDER BY id DESC LIMIT @limit";
            command.AddParameter("app", appId);
            command.AddParameter("window", RecentWindow);
            command.AddParameter("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetInt64(0), new AuthLogEntry(
                    reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3), reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7))));
            }
        }
        return [.. found.OrderByDescending(f => f.Id).Take(limit).Select(f => f.Entry)];
    }

    private async Task<Dictionary<long, Dictionary<string, long>>> ReadSettledAsync(string appId, long firstDay, long lastDay, CancellationToken cancellationToken)
    {
        var counted = new Dictionary<long, Dictionary<string, long>>();
        if (lastDay < firstDay) return counted;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT day, result, count FROM licensing_auth_log_daily WHERE app_id = @app AND day >= @first AND day <= @last";
        command.AddParameter("app", appId);
        command.AddParameter("first", firstDay);
        command.AddParameter("last", lastDay);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var day = Convert.ToInt64(reader.GetValue(0));
            if (!counted.TryGetValue(day, out var results)) counted[day] = results = new Dictionary<string, long>(StringComparer.Ordinal);
            results[reader.GetString(1)] = Convert.ToInt64(reader.GetValue(2));
        }
        return counted;
    }

    // The app's outcomes with from <= at < to, read through the app's index over the id range of that time.
    private async Task<Dictionary<string, long>> CountDayAsync(string appId, long from, long to, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        var low = await FirstIdAtOrAfterAsync(connection, from - SlackMs, cancellationToken);
        if (low is null) return results;
        var high = await FirstIdAtOrAfterAsync(connection, to + SlackMs, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = DayCountSql(bounded: high is not null);
        command.AddParameter("app", appId);
        command.AddParameter("low", low.Value);
        if (high is not null) command.AddParameter("high", high.Value);
        command.AddParameter("from", from);
        command.AddParameter("to", to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) results[reader.GetString(0)] = Convert.ToInt64(reader.GetValue(1));
        return results;
    }

    // One seek on the retention index: the id of the first row written at or after the time.
    private static async Task<long?> FirstIdAtOrAfterAsync(DbConnection connection, long at, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM licensing_auth_log WHERE at >= @at ORDER BY at LIMIT 1";
        command.AddParameter("at", at);
        return await command.ExecuteScalarAsync(cancellationToken) is { } id and not DBNull ? Convert.ToInt64(id) : null;
    }

    private async Task StoreSettledAsync(string appId, long day, Dictionary<string, long> results, CancellationToken cancellationToken)
    {
        await using var turn = await database.WriteGate.EnterAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        // Two overviews may count the same day at once; both counted the same rows, the first write stays.
        var rows = results.Count == 0 ? [("", 0L)] : results.Select(r => (r.Key, r.Value)).ToArray();
        foreach (var (result, count) in rows)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = database.IsPostgres
                ? "INSERT INTO licensing_auth_log_daily (app_id, day, result, count) VALUES (@app, @day, @result, @count) ON CONFLICT DO NOTHING"
                : "INSERT OR IGNORE INTO licensing_auth_log_daily (app_id, day, result, count) VALUES (@app, @day, @result, @count)";
            command.AddParameter("app", appId);
            command.AddParameter("day", day);
            command.AddParameter("result", result);
            command.AddParameter("count", count);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Active licenses of @app at @now: two ranges of <c>ix_licensing_licenses_app_active</c>.</summary>
    internal static string ActiveCountSql(bool postgres)
    {
        var notRevoked = postgres ? "revoked = false" : "revoked = 0";
        return $"SELECT (SELECT COUNT(*) FROM licensing_licenses WHERE app_id = @app AND {notRevoked} AND expires_at IS NULL)" +
            $" + (SELECT COUNT(*) FROM licensing_licenses WHERE app_id = @app AND {notRevoked} AND expires_at > @now)";
    }

    /// <summary>Outcomes of @app with @from &lt;= at &lt; @to by result, within the id range [@low, @high).</summary>
    internal static string DayCountSql(bool bounded) =>
        "SELECT result, COUNT(*) FROM licensing_auth_log WHERE app_id = @app AND id >= @low"
        + (bounded ? " AND id < @high" : "") + " AND at >= @from AND at < @to GROUP BY result";

    private static long DayNumber(DateOnly day) => day.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    private static DateOnly DayOf(long dayNumber) => DateOnly.FromDayNumber((int)(dayNumber + DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber));
}
