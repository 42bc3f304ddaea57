using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Apps;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// Which app a per-app page (Licenses, Logs) shows, drawn by <c>_AppBar.cshtml</c> as a selector that
/// names it. The app is always in the address (<c>appId</c>): opened without one, the page redirects to
/// its first app by name (<see cref="DefaultAppId"/>), so what is shown can be read, bookmarked and
/// shared, and paging and filters keep it. An account without apps gets a page that says so and links
/// to creating one. A key that may not list apps (no <c>read:apps</c>) types the app id instead.
/// </summary>
public sealed class ConsoleAppChoice
{
    private ConsoleAppChoice(string path, string? appId, IReadOnlyList<AppResponse> apps, bool canList, bool canCreate)
    {
        Path = path;
        AppId = appId;
        Apps = apps;
        CanList = canList;
        CanCreate = canCreate;
        Current = apps.FirstOrDefault(a => a.AppId == appId);
    }

    /// <summary>The page's path (the selector's form sends <c>appId</c> to it).</summary>
    public string Path { get; }

    /// <summary>The app asked for in the address, if any.</summary>
    public string? AppId { get; }

    /// <summary>The account's apps by name (empty when the key may not list them).</summary>
    public IReadOnlyList<AppResponse> Apps { get; }

    /// <summary>Whether the key may list apps; if not, the app id is typed.</summary>
    public bool CanList { get; }

    /// <summary>Whether the key may create an app (the empty state links to that).</summary>
    public bool CanCreate { get; }

    /// <summary>The app shown, when it is one of the listed apps.</summary>
    public AppResponse? Current { get; }

    /// <summary>The account has no app at all: the page shows how to create one instead of a list.</summary>
    public bool NoApps => CanList && Apps.Count == 0;

    /// <summary>The app to redirect to when the address names none: the first by name.</summary>
    public string? DefaultAppId => string.IsNullOrEmpty(AppId) && Apps.Count > 0 ? Apps[0].AppId : null;

    /// <summary>Loads the caller's apps (if the key may list them) for the page at <paramref name="path"/>.</summary>
    public static async Task<ConsoleAppChoice> LoadAsync(AppService apps, ConsoleVisitor visitor, ApiCaller caller, string path, string? appId)
    {
        var canList = visitor.Can(DeveloperScopes.ReadApps);
        IReadOnlyList<AppResponse> listed = canList
            ? [.. (await apps.ListAsync(caller, "200", null)).Apps.OrderBy(a => a.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(a => a.AppId, StringComparer.Ordinal)]
            : [];
        return new ConsoleAppChoice(path, string.IsNullOrWhiteSpace(appId) ? null : appId.Trim(), listed, canList, visitor.Can(DeveloperScopes.WriteApps));
    }

    /// <summary>The page's address with <see cref="DefaultAppId"/> added to what was asked (filters kept).</summary>
    public string DefaultUrl(HttpRequest request) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(Path,
        [new KeyValuePair<string, string?>("appId", DefaultAppId), .. request.Query.Where(q => !string.Equals(q.Key, "appId", StringComparison.OrdinalIgnoreCase))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))]);
}
