using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Apps;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>An app's auth log, filterable by result code, license and IP (<see cref="AuthLogService"/>).</summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadLogs)]
public sealed class LogsModel(AuthLogService logs, AppService apps) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string? AppId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Result { get; set; }
    [BindProperty(SupportsGet = true)] public string? LicenseKey { get; set; }
    [BindProperty(SupportsGet = true)] public string? Ip { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    public IReadOnlyList<AppResponse> Apps { get; private set; } = [];
    public AuthLogListResponse? Entries { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        if (Visitor!.Can(DeveloperScopes.ReadApps))
        {
            Apps = (await apps.ListAsync(Caller, "200", null)).Apps;
            if (string.IsNullOrEmpty(AppId) && Apps.Count > 0) AppId = Apps[0].AppId;
        }
        if (!string.IsNullOrEmpty(AppId))
        {
            Entries = await logs.PageAsync(Caller, AppId, "50", Blank(Cursor), Blank(Result), Blank(LicenseKey), Blank(Ip), HttpContext.RequestAborted);
        }
        return Page();
    });

    public string PageUrl(string? cursor) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/console/logs",
        new Dictionary<string, string?> { ["appId"] = AppId, ["result"] = Blank(Result), ["licenseKey"] = Blank(LicenseKey), ["ip"] = Blank(Ip), ["cursor"] = cursor }
            .Where(p => p.Value is not null).ToDictionary());

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
