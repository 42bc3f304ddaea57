using OrleansLicensing.Server.Developer;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// An entry of the vendor's navigation: the page and the scope it needs to open. A per-app page
/// (<paramref name="PerApp"/>: Licenses, Logs) opened from a page about an app opens on that app.
/// </summary>
public sealed record ConsoleNavEntry(string Name, string Path, string Scope, bool PerApp = false)
{
    /// <summary>The entry's link from a page about <paramref name="appId"/> (if any).</summary>
    public string Href(string? appId) => PerApp && !string.IsNullOrEmpty(appId) ? $"{Path}?appId={Uri.EscapeDataString(appId)}" : Path;
}

/// <summary>
/// The vendor's navigation, in order, with the scope each page needs (the page's
/// <see cref="ConsoleScopeAttribute"/>). The layout shows the entries the key may open; a vendor lands
/// on the first of them, so a narrow key never starts on a page that refuses it.
/// </summary>
public static class ConsoleNavigation
{
    /// <summary>The vendor's pages in navigation order.</summary>
    public static readonly IReadOnlyList<ConsoleNavEntry> Vendor =
    [
        new("Overview", WebConsoleSetup.Root, DeveloperScopes.ReadAccount),
        new("Apps", WebConsoleSetup.Root + "/apps", DeveloperScopes.ReadApps),
        new("Licenses", WebConsoleSetup.Root + "/licenses", DeveloperScopes.ReadLicenses, PerApp: true),
        new("Logs", WebConsoleSetup.Root + "/logs", DeveloperScopes.ReadLogs, PerApp: true),
        new("Credits", WebConsoleSetup.Root + "/credits", DeveloperScopes.ReadAccount),
        new("API keys", WebConsoleSetup.Root + "/api-keys", DeveloperScopes.ReadAccount),
    ];

    /// <summary>The vendor entries <paramref name="visitor"/> may open.</summary>
    public static IEnumerable<ConsoleNavEntry> For(ConsoleVisitor visitor) => Vendor.Where(e => visitor.Can(e.Scope));

    /// <summary>
    /// Where <paramref name="visitor"/> starts: the operator's accounts, or the first vendor page the key
    /// may open (the overview when it opens none: it then says which scope is missing).
    /// </summary>
    public static string StartPage(ConsoleVisitor? visitor) => visitor switch
    {
        { Kind: ConsoleSessionKind.Operator } => WebConsoleSetup.Root + "/operator",
        { Kind: ConsoleSessionKind.Vendor } => For(visitor).FirstOrDefault()?.Path ?? WebConsoleSetup.Root,
        _ => WebConsoleSetup.Root,
    };
}
