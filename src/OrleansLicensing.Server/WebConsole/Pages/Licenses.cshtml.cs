using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Apps;
using OrleansLicensing.Server.Developer.Licenses;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>License search of one app: by key (opens it), label prefix, HWID and status, newest first, keyset pages.</summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadLicenses)]
public sealed class LicensesModel(LicenseService licenses, AppService apps) : ConsolePageModel
{
    private const string PageSize = "25";

    [BindProperty(SupportsGet = true)] public string? AppId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Key { get; set; }
    [BindProperty(SupportsGet = true)] public string? Label { get; set; }
    [BindProperty(SupportsGet = true)] public string? Hwid { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }

    /// <summary>Set after a license was deleted from its page.</summary>
    [BindProperty(SupportsGet = true)] public string? Deleted { get; set; }

    /// <summary>The caller's apps for the picker (empty when the key cannot read apps: the id is typed).</summary>
    public IReadOnlyList<AppResponse> Apps { get; private set; } = [];

    /// <summary>The page of results, once an app is chosen.</summary>
    public LicenseListResponse? Results { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        if (Visitor!.Can(DeveloperScopes.ReadApps))
        {
            Apps = (await apps.ListAsync(Caller, "200", null)).Apps;
            if (string.IsNullOrEmpty(AppId) && Apps.Count > 0) AppId = Apps[0].AppId;
        }
        if (!string.IsNullOrWhiteSpace(Key))
        {
            // A key search opens the license (the same lookup and ownership rule as GET /v1/licenses/{key}).
            var found = await licenses.GetAsync(Caller, Key);
            return Redirect($"/console/licenses/{Uri.EscapeDataString(found.LicenseKey)}");
        }
        if (!string.IsNullOrEmpty(AppId))
        {
            Results = await licenses.ListAsync(Caller, AppId, Blank(Status), Blank(Hwid), Blank(Label), PageSize, Blank(Cursor), HttpContext.RequestAborted);
        }
        return Page();
    });

    /// <summary>The link to the next page, keeping the filters.</summary>
    public string NextPageUrl(string cursor) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/console/licenses",
        new Dictionary<string, string?> { ["appId"] = AppId, ["label"] = Blank(Label), ["hwid"] = Blank(Hwid), ["status"] = Blank(Status), ["cursor"] = cursor }
            .Where(p => p.Value is not null).ToDictionary());

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
