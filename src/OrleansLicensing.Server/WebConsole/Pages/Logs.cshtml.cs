using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Apps;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// An app's auth log (<see cref="AuthLogService"/>), the app named in the address
/// (<see cref="ConsoleAppChoice"/>), filterable by result code, license and IP, newest first, in keyset
/// pages (<see cref="ConsolePager"/>).
/// </summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadLogs)]
public sealed class LogsModel(AuthLogService logs, AppService apps) : ConsolePageModel
{
    public const string Path = "/console/logs";

    [BindProperty(SupportsGet = true)] public string? AppId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Result { get; set; }
    [BindProperty(SupportsGet = true)] public string? LicenseKey { get; set; }
    [BindProperty(SupportsGet = true)] public string? Ip { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Back { get; set; }

    /// <summary>The app shown and the others to choose from.</summary>
    public ConsoleAppChoice? Choice { get; private set; }

    public AuthLogListResponse? Entries { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        Choice = await ConsoleAppChoice.LoadAsync(apps, Visitor!, Caller, Path, AppId);
        if (Choice.DefaultAppId is not null) return Redirect(Choice.DefaultUrl(Request));
        if (Choice.AppId is { } appId)
        {
            Entries = await logs.PageAsync(Caller, appId, "50", Blank(Cursor), Blank(Result), Blank(LicenseKey), Blank(Ip), HttpContext.RequestAborted);
        }
        return Page();
    }, async () => Choice ??= await ConsoleAppChoice.LoadAsync(apps, Visitor!, Caller, Path, AppId));

    /// <summary>The paging links, keeping the app and the filters.</summary>
    public ConsolePager Pager => new(Path,
        [new("appId", AppId), new("result", Blank(Result)), new("licenseKey", Blank(LicenseKey)), new("ip", Blank(Ip))], Cursor, Back, Entries?.Cursor);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
