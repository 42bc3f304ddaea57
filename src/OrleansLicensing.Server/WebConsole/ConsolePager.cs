using Microsoft.AspNetCore.WebUtilities;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// The paging links of every paged console list (licenses, logs, the ledger, deliveries, accounts),
/// drawn by <c>_Pager.cshtml</c>. The lists page by keyset: a cursor leads only forward. To lead back,
/// the address carries, beside <c>cursor</c> (where this page starts), <c>back</c>: the cursors of the
/// pages before it, oldest first, separated by dots (cursors are base64url, so never hold one). Previous
/// takes the last of them; Next adds this page's. The page's filters stay in every link.
/// </summary>
public sealed class ConsolePager
{
    /// <summary>The query parameter of the cursor this page starts at (none on the first page).</summary>
    public const string CursorParameter = "cursor";

    /// <summary>The query parameter of the trail of earlier pages' cursors.</summary>
    public const string TrailParameter = "back";

    /// <summary>
    /// How many earlier pages the address remembers. Past that the oldest are dropped and the trail
    /// starts with <see cref="Forgotten"/>: Previous then stops there, First page always works, and the
    /// page number is not shown. Keeps addresses short (a cursor is 8–40 characters).
    /// </summary>
    public const int MaxTrail = 40;

    /// <summary>The trail's first entry when earlier pages were dropped.</summary>
    public const string Forgotten = "~";

    private const char Separator = '.';

    private readonly string _path;
    private readonly KeyValuePair<string, string?>[] _filters;
    private readonly string? _cursor;
    private readonly string[] _trail;
    private readonly string? _next;

    /// <param name="path">The page's path.</param>
    /// <param name="filters">The query parameters that make the list what it is (app, filters); empty values are left out.</param>
    /// <param name="cursor">The <c>cursor</c> this page was asked for.</param>
    /// <param name="trail">The <c>back</c> this page was asked for.</param>
    /// <param name="next">The list's cursor of the page after this one, if there is one.</param>
    public ConsolePager(string path, IEnumerable<KeyValuePair<string, string?>> filters, string? cursor, string? trail, string? next)
    {
        _path = path;
        _filters = [.. filters.Where(f => !string.IsNullOrWhiteSpace(f.Value))];
        _cursor = string.IsNullOrEmpty(cursor) ? null : cursor;
        // Without a cursor this is the first page, whatever the address says.
        _trail = _cursor is null || string.IsNullOrEmpty(trail) ? [] : trail.Split(Separator, StringSplitOptions.RemoveEmptyEntries);
        _next = string.IsNullOrEmpty(next) ? null : next;
    }

    /// <summary>Whether there is more than this one page (else no pager is drawn).</summary>
    public bool HasPages => _cursor is not null || _next is not null;

    /// <summary>Whether this is the first page.</summary>
    public bool IsFirst => _cursor is null;

    /// <summary>This page's number, when the address knows it (not after <see cref="MaxTrail"/> pages).</summary>
    public int? Number => _cursor is null ? 1 : _trail.Length > 0 && _trail[0] == Forgotten ? null : _trail.Length + 2;

    /// <summary>The first page, or null on it.</summary>
    public string? FirstUrl => IsFirst ? null : Url(null, []);

    /// <summary>The page before this one, or null on the first page and where the trail was cut.</summary>
    public string? PreviousUrl => _cursor is null ? null
        : _trail.Length == 0 ? Url(null, [])
        : _trail[^1] == Forgotten ? null
        : Url(_trail[^1], _trail[..^1]);

    /// <summary>The page after this one, or null on the last.</summary>
    public string? NextUrl
    {
        get
        {
            if (_next is null) return null;
            if (_cursor is null) return Url(_next, []);
            var trail = _trail.Append(_cursor).ToList();
            if (trail.Count > MaxTrail) trail = [Forgotten, .. trail.Skip(trail.Count - MaxTrail + 1).SkipWhile(c => c == Forgotten)];
            return Url(_next, trail);
        }
    }

    private string Url(string? cursor, IEnumerable<string> trail)
    {
        var query = _filters.ToList();
        if (cursor is not null) query.Add(new(CursorParameter, cursor));
        var back = string.Join(Separator, trail);
        if (back.Length > 0) query.Add(new(TrailParameter, back));
        return query.Count == 0 ? _path : QueryHelpers.AddQueryString(_path, query);
    }
}
