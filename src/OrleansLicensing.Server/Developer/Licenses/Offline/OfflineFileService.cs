using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;
using OrleansLicensing.Security;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Licenses.Offline;

/// <summary>
/// Offline license files of docs/developer-api.md §4.3a, shared by <see cref="OfflineFilesController"/> and the
/// web console: the edge builds and signs the file with the app's current Ed25519 key; the license grain
/// binds its HWIDs, has the account debit one credit and stores it, all or nothing. Callers check the scope.
/// </summary>
public sealed class OfflineFileService(IGrainFactory grains, TimeProvider time)
{
    private const int MaxHwids = 16;
    private const int MaxHwidLength = 256;
    private const string CursorKind = "offline-file";
    // The license's terms may change between reading them and issuing; rebuilding the payload is cheap.
    private const int TermsAttempts = 3;

    /// <summary>
    /// Mints a file. <paramref name="requestKey"/> (an <c>Idempotency-Key</c>, or the console form's
    /// operation id) makes a repeated request answer the file minted first.
    /// </summary>
    public async Task<OfflineFile> MintAsync(ApiCaller caller, string licenseKey, MintOfflineFileRequest? body, string? requestKey)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        if (!body.ExpiresAt.IsSet) details.Add("expiresAt: required (an ISO time, or null for a file that never expires)");
        var mode = body.Mode switch
        {
            null or "bound" => OfflineFileMode.Bound,
            "any" => OfflineFileMode.Any,
            _ => (OfflineFileMode?)null,
        };
        if (mode is null) details.Add("mode: must be \"bound\" or \"any\"");
        var hwids = new List<string>();
        if (body.Hwids is { } listed)
        {
            if (listed.Length is < 1 or > MaxHwids) details.Add($"hwids: 1 to {MaxHwids} HWIDs");
            foreach (var hwid in listed)
            {
                if (string.IsNullOrWhiteSpace(hwid) || hwid.Length > MaxHwidLength)
                {
                    details.Add($"hwids: each HWID must be a non-empty string of at most {MaxHwidLength} characters");
                    break;
                }
                // Trimmed as the SDKs trim their own HWID before comparing (docs/protocol.md §18.3).
                var trimmed = hwid.Trim();
                if (!hwids.Contains(trimmed, StringComparer.Ordinal)) hwids.Add(trimmed);
            }
        }
        if (mode == OfflineFileMode.Any && (body.Hwids is not null || body.ActivationRequest is not null))
        {
            details.Add("mode: \"any\" files are not bound; leave out hwids and activationRequest");
        }
        if (mode == OfflineFileMode.Bound && body.Hwids is null && body.ActivationRequest is null)
        {
            details.Add("hwids: a bound file needs hwids or an activationRequest (or both)");
        }
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        var license = await grains.FindLicense(caller, licenseKey);
        if (body.ActivationRequest is not null)
        {
            var request = ActivationRequestsController.Check(body.ActivationRequest, license.AppId, "activationRequest");
            // Trimmed like the listed ones: the SDK compares its trimmed HWID, and a validate binds it trimmed.
            var requestHwid = request.Hwid.Trim();
            if (!hwids.Contains(requestHwid, StringComparer.Ordinal)) hwids.Add(requestHwid);
            if (hwids.Count > MaxHwids) throw ApiException.BadRequest($"hwids: 1 to {MaxHwids} HWIDs, the activation request's included");
        }

        var expiresAt = body.ExpiresAt.Value is { } requested ? ToSecond(requested) : (DateTimeOffset?)null;
        OfflineFileIssueResult result = new(OfflineFileIssueStatus.TermsChanged);
        for (var attempt = 1; attempt <= TermsAttempts && result.Status == OfflineFileIssueStatus.TermsChanged; attempt++)
        {
            if (attempt > 1) license = await grains.FindLicense(caller, license.LicenseKey);
            result = await IssueAsync(license, mode!.Value, hwids, expiresAt, requestKey);
        }

        var file = result.Status switch
        {
            OfflineFileIssueStatus.Issued or OfflineFileIssueStatus.Replayed => result.File!,
            OfflineFileIssueStatus.LicenseNotFound => throw ApiException.NotFound($"License {license.LicenseKey} not found"),
            OfflineFileIssueStatus.Revoked => throw RevokedError(),
            OfflineFileIssueStatus.Expired => throw ExpiredError(),
            OfflineFileIssueStatus.SlotsFull => throw new ApiException(ApiErrors.Conflict,
                $"The file's HWIDs do not fit the license's free HWID slots ({result.BoundHwids} of {result.MaxHwidSlots} used); nothing was bound"),
            OfflineFileIssueStatus.NoCredits => throw new ApiException(ApiErrors.NoCredits, "Minting an offline file costs 1 credit; the balance is below 1"),
            OfflineFileIssueStatus.DailyCapReached => throw new ApiException(ApiErrors.NoCredits, "The app's daily credit cap is reached; minting costs 1 credit"),
            OfflineFileIssueStatus.TooManyFiles => throw new ApiException(ApiErrors.Conflict, $"The license holds {OfflineFileLimits.MaxFilesPerLicense} offline files, the most one license keeps; nothing was charged"),
            _ => throw new ApiException(ApiErrors.Conflict, "The license changed while the file was being minted; retry"),
        };
        return file;
    }

    /// <summary>The files issued for the license, oldest first, without their text.</summary>
    public async Task<OfflineFileListResponse> ListAsync(ApiCaller caller, string licenseKey, string? limit, string? cursor)
    {
        var pageSize = Pagination.Limit(limit);
        var after = Pagination.Decode(CursorKind, cursor, id => Guid.TryParseExact(id, "D", out _));
        var files = await FilesAsync(caller, licenseKey);
        // Files are only ever appended, so the position after the cursor's file is stable.
        var start = after is null ? 0 : files.ToList().FindIndex(f => f.FileId == after) + 1;
        var page = files.Skip(start).Take(pageSize).ToArray();
        var more = start + page.Length < files.Count;
        return new OfflineFileListResponse([.. page.Select(f => OfflineFileResponse.From(f, withText: false))],
            more && page.Length > 0 ? Pagination.Encode(CursorKind, page[^1].FileId) : null);
    }

    /// <summary>One file again, with the same bytes as first issued.</summary>
    public async Task<OfflineFile> GetAsync(ApiCaller caller, string licenseKey, string fileId) =>
        (await FilesAsync(caller, licenseKey)).FirstOrDefault(f => f.FileId == fileId)
            ?? throw ApiException.NotFound($"Offline file {fileId} not found");

    /// <summary>All files issued for the license, oldest first.</summary>
    public async Task<IReadOnlyList<OfflineFile>> FilesAsync(ApiCaller caller, string licenseKey)
    {
        var license = await grains.FindLicense(caller, licenseKey);
        return await grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(license.LicenseKey)).GetOfflineFiles()
            ?? throw ApiException.NotFound($"License {license.LicenseKey} not found");
    }

    private async Task<OfflineFileIssueResult> IssueAsync(LicenseSnapshot license, OfflineFileMode mode, IReadOnlyList<string> hwids, DateTimeOffset? expiresAt, string? requestKey)
    {
        var now = time.GetUtcNow();
        // The license's own state first (409): a revoked or expired license gets no file whatever the body
        // asks, so its expiresAt is not judged against an expiry that has passed.
        if (license.Status == LicenseStatus.Revoked) throw RevokedError();
        if (license.IsExpired(now)) throw ExpiredError();
        var details = new List<string>();
        if (mode == OfflineFileMode.Any && !license.UnlimitedHwidSlots) details.Add("mode: \"any\" needs a license with unlimitedHwidSlots");
        if (expiresAt is { } at && at <= now) details.Add("expiresAt: must be in the future");
        if (license.ExpiresAt is { } licenseExpiry && (expiresAt is null || expiresAt > licenseExpiry))
        {
            details.Add($"expiresAt: may not be later than the license's expiry ({UtcTimestampConverter.Format(licenseExpiry)}); null only for a lifetime license");
        }
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        var view = await grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(license.AppId)).GetAuthView()
            ?? throw ApiException.NotFound($"App {license.AppId} not found");
        if (view.Status != AppStatus.Active) throw new ApiException(ApiErrors.Conflict, "The license's app is disabled; enable it before minting a file");

        var issuedAt = ToSecond(now);
        var fileId = Guid.NewGuid().ToString("D");
        var bound = mode == OfflineFileMode.Bound ? hwids.ToArray() : [];
        string text;
        using (var signer = Ed25519Signer.FromSeed(view.SigningSeed))
        {
            text = OfflineFileWriter.Write(new OfflineFileContent(
                license.AppId, license.LicenseKey, fileId, view.KeyId, issuedAt, expiresAt, mode, bound,
                license.Label, license.ExpiresAt, license.Variables, view.Variables), signer);
        }
        var file = new OfflineFile(fileId, license.LicenseKey, license.AppId, view.KeyId, mode, bound, issuedAt, expiresAt, text, requestKey);
        var terms = new OfflineFileTerms(license.ExpiresAt, license.Label, [.. license.Variables], license.UnlimitedHwidSlots);
        return await grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(license.LicenseKey))
            .IssueOfflineFile(new OfflineFileIssue(license.AppId, file, view.DailyCreditCap, terms));
    }

    private static ApiException RevokedError() => new(ApiErrors.Conflict, "The license is revoked; reactivate it before minting a file");

    private static ApiException ExpiredError() => new(ApiErrors.Conflict, "The license has expired; extend it before minting a file");

    private static DateTimeOffset ToSecond(DateTimeOffset value) =>
        new(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
