using System.Text.Json.Serialization;
using OrleansLicensing.Licenses;

namespace OrleansLicensing.Server.Developer.Licenses.Offline;

/// <summary>Body of <c>POST /v1/licenses/{licenseKey}/offline-files</c>.</summary>
/// <param name="ExpiresAt">Required; <c>null</c> = the file never expires (lifetime licenses only).</param>
/// <param name="Hwids">1–16 HWIDs the file is bound to.</param>
/// <param name="ActivationRequest">An armored <c>.authforge-request</c>; its HWID is added to <paramref name="Hwids"/>.</param>
/// <param name="Mode"><c>bound</c> (default) or <c>any</c>.</param>
public sealed record MintOfflineFileRequest(Optional<DateTimeOffset?> ExpiresAt, string?[]? Hwids, string? ActivationRequest, string? Mode);

/// <summary>An issued offline file on the wire; the file text itself is left out of lists.</summary>
public sealed record OfflineFileResponse(
    string FileId,
    string LicenseKey,
    string AppId,
    string KeyId,
    string Mode,
    IReadOnlyList<string> Hwids,
    DateTimeOffset IssuedAt,
    DateTimeOffset? ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? File)
{
    public static OfflineFileResponse From(OfflineFile file, bool withText) => new(
        file.FileId, file.LicenseKey, file.AppId, file.KeyId, file.Mode == OfflineFileMode.Any ? "any" : "bound",
        file.Hwids, file.IssuedAt, file.ExpiresAt, withText ? file.Text : null);
}

/// <summary>Answer of <c>GET /v1/licenses/{licenseKey}/offline-files</c>, oldest first.</summary>
public sealed record OfflineFileListResponse(IReadOnlyList<OfflineFileResponse> OfflineFiles, string? Cursor);

/// <summary>JSON form of <c>POST /v1/apps/{appId}/activation-requests</c> (the text form is the armored request itself).</summary>
public sealed record ActivationRequestUpload(string? Request);

/// <summary>A parsed activation request on the wire.</summary>
public sealed record ActivationRequestResponse(
    string AppId,
    string Hwid,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MachineName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Os,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sdk,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LicenseKey)
{
    public static ActivationRequestResponse From(ActivationRequestInfo r) => new(r.AppId, r.Hwid, r.CreatedAt, r.MachineName, r.Os, r.Sdk, r.LicenseKey);
}
