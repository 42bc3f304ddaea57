using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Apps;
using OrleansLicensing.Server.Developer.Licenses;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// License search of one app, named in the address (<see cref="ConsoleAppChoice"/>): by key (opens it),
/// label prefix, HWID and status, newest first, in keyset pages (<see cref="ConsolePager"/>).
/// </summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadLicenses)]
public sealed class LicensesModel(LicenseService licenses, AppService apps) : ConsolePageModel
{
    public const string Path = "/console/licenses";
    private const string PageSize = "25";

    [BindProperty(SupportsGet = true)] public string? AppId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Key { get; set; }
    [BindProperty(SupportsGet = true)] public string? Label { get; set; }
    [BindProperty(SupportsGet = true)] public string? Hwid { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }
    [BindProperty(SupportsGet = true)] public string? Back { get; set; }

    /// <summary>Set after a license was deleted from its page.</summary>
    [BindProperty(SupportsGet = true)] public string? Deleted { get; set; }

    /// <summary>The app shown and the others to choose from.</summary>
    public ConsoleAppChoice? Choice { get; private set; }

    /// <summary>The page of results, once an app is chosen.</summary>
    public LicenseListResponse? Results { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        if (!string.IsNullOrWhiteSpace(Key))
        {
            // A key search opens the license (the same lookup and ownership rule as GET /v1/licenses/{key}).
            var found = await licenses.GetAsync(Caller, Key);
            return Redirect($"/console/licenses/{Uri.EscapeDataString(found.LicenseKey)}");
        }
        Choice = await ConsoleAppChoice.LoadAsync(apps, Visitor!, Caller, Path, AppId);
        if (Choice.DefaultAppId is not null) return Redirect(Choice.DefaultUrl(Request));
        if (Choice.AppId is { } appId)
        {
            Results = await licenses.ListAsync(Caller, appId, Blank(Status), Blank(Hwid), Blank(Label), PageSize, Blank(Cursor), HttpContext.RequestAborted);
        }
        return Page();
    }, async () => Choice ??= await ConsoleAppChoice.LoadAsync(apps, Visitor!, Caller, Path, AppId));

    /// <summary>The paging links, keeping the app and the filters.</summary>
    public ConsolePager Pager => new(Path,
        [new("appId", AppId), new("label", Blank(Label)), new("hwid", Blank(Hwid)), new("status", Blank(Status))], Cursor, Back, Results?.Cursor);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
