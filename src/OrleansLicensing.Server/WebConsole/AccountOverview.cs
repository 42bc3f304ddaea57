using OrleansLicensing.Accounts;
using OrleansLicensing.Server.AuthLogs;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Account;
using OrleansLicensing.Server.Developer.Apps;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>What the vendor's overview shows; each part only when the key's scopes allow it.</summary>
public sealed record OverviewFigures(
    IReadOnlyList<AppResponse> Apps,
    IReadOnlyList<DailyValue> CreditsUsed,
    DateOnly? CreditsCoveredFrom,
    IReadOnlyList<DailyOutcome>? Outcomes,
    IReadOnlyList<(string AppId, string Code, long Count)>? FailuresByCode,
    IReadOnlyList<AuthLogEntry>? LastFailures,
    long? ActiveLicenses);

/// <summary>A value for one UTC day.</summary>
public sealed record DailyValue(DateOnly Day, long Value);

/// <summary>Validations, heartbeats and self-bans of one UTC day: successes and failures.</summary>
public sealed record DailyOutcome(DateOnly Day, long Successes, long Failures);

/// <summary>
/// Gathers the overview through the same owned reads as the rest of the console: the caller's
/// apps (<see cref="AppService"/>), its ledger (<see cref="CreditLedgerService"/>) and, for those
/// apps only, the auth log and the license index through <see cref="OverviewQueries"/> (bounded reads).
/// </summary>
public sealed class AccountOverview(AppService apps, CreditLedgerService ledger, OverviewQueries queries, TimeProvider time)
{
    /// <summary>Days shown in the charts.</summary>
    public const int Days = 30;

    // The ledger holds usage per app per minute; reading stops after this many entries (the chart then says from when it counts).
    private const int MaxLedgerPages = 20;

    public async Task<OverviewFigures> GatherAsync(ConsoleVisitor visitor, CancellationToken cancellationToken)
    {
        var caller = visitor.Caller!;
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var first = today.AddDays(-(Days - 1));
        var since = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        IReadOnlyList<AppResponse> owned = visitor.Can(DeveloperScopes.ReadApps) ? (await apps.ListAsync(caller, "200", null)).Apps : [];
        var appIds = owned.Select(a => a.AppId).ToList();

        var used = new Dictionary<DateOnly, long>();
        DateOnly? coveredFrom = first;
        string? cursor = null;
        for (var page = 0; ; page++)
        {
            var entries = await ledger.ReadAsync(caller, "200", cursor);
            var reachedStart = false;
            foreach (var entry in entries.Entries)
            {
                if (entry.At < since) { reachedStart = true; break; }
                if (entry.Kind is CreditEntryKind.Validate or CreditEntryKind.Heartbeat or CreditEntryKind.OfflineFile)
                {
                    var day = DateOnly.FromDateTime(entry.At.UtcDateTime);
                    used[day] = used.GetValueOrDefault(day) - entry.Delta;
                }
            }
            if (reachedStart || entries.Cursor is null) break;
            if (page + 1 == MaxLedgerPages)
            {
                coveredFrom = entries.Entries.Count > 0 ? DateOnly.FromDateTime(entries.Entries[^1].At.UtcDateTime) : first;
                break;
            }
            cursor = entries.Cursor;
        }

        IReadOnlyList<DailyOutcome>? outcomes = null;
        IReadOnlyList<(string, string, long)>? byCode = null;
        IReadOnlyList<AuthLogEntry>? lastFailures = null;
        if (visitor.Can(DeveloperScopes.ReadLogs))
        {
            // Per app, so that each count links to the app's log filtered by that code.
            var rows = await queries.DailyResultsAsync(appIds, first, now, cancellationToken);
            outcomes = [.. EachDay(first, today).Select(day => new DailyOutcome(
                day,
                rows.Where(r => r.Day == day && r.Result == "success").Sum(r => r.Count),
                rows.Where(r => r.Day == day && r.Result != "success").Sum(r => r.Count)))];
            byCode = [.. rows.Where(r => r.Result != "success").GroupBy(r => (r.AppId, r.Result))
                .Select(g => (g.Key.AppId, g.Key.Result, g.Sum(r => r.Count))).OrderByDescending(g => g.Item3)];
            lastFailures = await queries.RecentFailuresAsync(appIds, 10, cancellationToken);
        }

        long? active = null;
        if (visitor.Can(DeveloperScopes.ReadLicenses) && visitor.Can(DeveloperScopes.ReadApps))
        {
            active = 0;
            foreach (var appId in appIds) active += await queries.CountActiveAsync(appId, now, cancellationToken);
        }

        return new OverviewFigures(
            owned,
            [.. EachDay(first, today).Select(day => new DailyValue(day, used.GetValueOrDefault(day)))],
            coveredFrom == first ? null : coveredFrom,
            outcomes, byCode, lastFailures, active);
    }

    private static IEnumerable<DateOnly> EachDay(DateOnly first, DateOnly last)
    {
        for (var day = first; day <= last; day = day.AddDays(1)) yield return day;
    }
}
