using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Licenses;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// One license: its facts, bound HWIDs and the actions of <c>PUT /v1/licenses/{key}</c> and
/// <c>DELETE</c>, through <see cref="LicenseService"/>. Revoke, Reset HWIDs and Delete ask for a
/// confirmation first (a second page state, so it works without script and from the keyboard). Every
/// action answers with a redirect (Post/Redirect/Get), and a confirmation whose action no longer
/// applies (Back to "Revoke?" after revoking) says so instead of asking again.
/// </summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadLicenses)]
public sealed class LicenseModel(LicenseService licenses, TimeProvider time) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string LicenseKey { get; set; } = "";

    /// <summary>The destructive action awaiting confirmation (revoke, reset-hwids, delete).</summary>
    [BindProperty(SupportsGet = true)] public string? Confirm { get; set; }

    /// <summary>The action just done (after the redirect).</summary>
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }

    /// <summary>The new expiry typed into Extend (UTC; empty = lifetime).</summary>
    [BindProperty] public string? ExpiresAt { get; set; }

    public LicenseResponse? License { get; private set; }

    /// <summary>Why the confirmation asked for is not shown: its action has nothing left to do.</summary>
    public string? Moot { get; private set; }

    public string? DoneMessage => Done switch
    {
        "revoke" => "License revoked: validations now answer revoked.",
        "activate" => "License reactivated.",
        "extend" => "Expiry changed.",
        "reset-hwids" => "HWIDs reset: the next device to validate is bound.",
        "update" => "License updated.",
        "unchanged" => "Nothing to change.",
        _ => null,
    };

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        await LoadAsync();
        var license = License!;
        ExpiresAt ??= ConsoleFormat.InputTime(license.ExpiresAt);
        Moot = Confirm switch
        {
            "revoke" when license.Status == LicenseStatus.Revoked => "This license is already revoked.",
            "reset-hwids" when license.HwidCount == 0 => "No HWIDs are bound to this license: there is nothing to reset.",
            _ => null,
        };
        if (Moot is not null) Confirm = null;
        return Page();
    });

    [ConsoleScope(DeveloperScopes.WriteLicenses)]
    public Task<IActionResult> OnPostRevokeAsync() => ChangeAsync(LicenseAction.Revoke, "revoke");

    [ConsoleScope(DeveloperScopes.WriteLicenses)]
    public Task<IActionResult> OnPostReactivateAsync() => ChangeAsync(LicenseAction.Activate, "activate");

    [ConsoleScope(DeveloperScopes.WriteLicenses)]
    public Task<IActionResult> OnPostResetHwidsAsync() => ChangeAsync(LicenseAction.ResetHwid, "reset-hwids");

    [ConsoleScope(DeveloperScopes.WriteLicenses)]
    public Task<IActionResult> OnPostExtendAsync() => AttemptAsync(async () =>
    {
        var details = new List<string>();
        var expiresAt = ConsoleFormat.UtcTime(ExpiresAt, details, "expiresAt");
        // The API takes a past expiry (it expires the license at once); in the console that is a typo.
        if (expiresAt <= time.GetUtcNow()) details.Add("expiresAt: must be in the future (empty for a lifetime license; Revoke ends a license now)");
        ConsoleFormat.ThrowIfAny(details);
        var changed = await licenses.ChangeAsync(Caller, LicenseKey,
            new UpdateLicenseRequest(LicenseAction.Extend, new Optional<DateTimeOffset?>(true, expiresAt), null, null, default, default));
        return Redirect(Self(changed.LicenseKey, "extend"));
    }, LoadAsync);

    [ConsoleScope(DeveloperScopes.WriteLicenses)]
    public Task<IActionResult> OnPostDeleteAsync() => AttemptAsync(async () =>
    {
        var license = await licenses.GetAsync(Caller, LicenseKey);
        await licenses.DeleteAsync(Caller, license.LicenseKey);
        return Redirect($"/console/licenses?appId={Uri.EscapeDataString(license.AppId)}&deleted=1");
    }, LoadAsync);

    private Task<IActionResult> ChangeAsync(LicenseAction action, string done) => AttemptAsync(async () =>
    {
        var changed = await licenses.ChangeAsync(Caller, LicenseKey, new UpdateLicenseRequest(action, default, null, null, default, default));
        return Redirect(Self(changed.LicenseKey, done));
    }, LoadAsync);

    private async Task LoadAsync() => License = await licenses.GetAsync(Caller, LicenseKey);

    private static string Self(string key, string done) => $"/console/licenses/{Uri.EscapeDataString(key)}?done={done}";
}
