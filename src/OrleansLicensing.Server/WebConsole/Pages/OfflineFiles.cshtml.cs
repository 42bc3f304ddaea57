using System.Text;
using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Licenses;
using OrleansLicensing.Server.Developer.Licenses.Offline;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// A license's offline files through <see cref="OfflineFileService"/> (the service of
/// <c>/v1/licenses/{key}/offline-files</c>): list and download again (<c>read:licenses</c>), mint one
/// bound to HWIDs (<c>write:licenses</c>; 1 credit). The mint form carries a random operation id passed
/// as the request key, so a form sent twice mints one file.
/// </summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadLicenses)]
public sealed class OfflineFilesModel(LicenseService licenses, OfflineFileService files) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string LicenseKey { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }
    [BindProperty(SupportsGet = true)] public string? FileId { get; set; }

    /// <summary>HWIDs the new file is bound to, one a line.</summary>
    [BindProperty] public string? Hwids { get; set; }

    /// <summary>The file's expiry (UTC; empty = never, lifetime licenses only).</summary>
    [BindProperty] public string? ExpiresAt { get; set; }

    [BindProperty] public string? Mode { get; set; } = "bound";
    [BindProperty] public string? OperationId { get; set; }

    public LicenseResponse? License { get; private set; }

    /// <summary>The files, newest first.</summary>
    public IReadOnlyList<OfflineFile> Files { get; private set; } = [];

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        await LoadAsync();
        ExpiresAt ??= ConsoleFormat.InputTime(License!.ExpiresAt);
        return Page();
    }, LoadAsync);

    /// <summary>The file itself, as first issued (<c>.authforge</c>).</summary>
    public Task<IActionResult> OnGetDownloadAsync() => AttemptAsync(async () =>
    {
        var file = await files.GetAsync(Caller, LicenseKey, FileId ?? "");
        return File(Encoding.UTF8.GetBytes(file.Text), OfflineFileWriter.MediaType, $"{file.LicenseKey}.authforge");
    }, LoadAsync);

    [ConsoleScope(DeveloperScopes.WriteLicenses)]
    public Task<IActionResult> OnPostAsync() => AttemptAsync(async () =>
    {
        var details = new List<string>();
        var expiresAt = ConsoleFormat.UtcTime(ExpiresAt, details, "expiresAt");
        ConsoleFormat.ThrowIfAny(details);
        var hwids = (Hwids ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var any = Mode == "any";
        var request = new MintOfflineFileRequest(
            new Optional<DateTimeOffset?>(true, expiresAt),
            any || hwids.Length == 0 ? null : hwids,
            null,
            string.IsNullOrEmpty(Mode) ? null : Mode);
        var operation = OperationId is { Length: > 0 and <= 64 } ? $"console:{OperationId}" : null;
        var file = await files.MintAsync(Caller, LicenseKey, request, operation);
        return Redirect($"/console/licenses/{Uri.EscapeDataString(file.LicenseKey)}/offline-files?done=minted&fileId={Uri.EscapeDataString(file.FileId)}");
    }, LoadAsync, new Dictionary<string, string> { ["expiresAt"] = "fileExpiresAt" });

    private async Task LoadAsync()
    {
        License = await licenses.GetAsync(Caller, LicenseKey);
        Files = [.. (await files.FilesAsync(Caller, License.LicenseKey)).Reverse()];
        OperationId = ConsoleOperations.IdForForm(OperationId, refused: Failure is not null);
    }
}
