using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Licenses;

/// <summary>Body of <c>POST /v1/licenses</c>. <c>null</c> is refused but where it means "none" (expiry, label, variables).</summary>
/// <param name="AppId">The app the licenses belong to (required).</param>
/// <param name="Quantity">How many licenses, 1–100 (default 1).</param>
/// <param name="ExpiresAt">Expiry, or <c>null</c>/absent for a lifetime license.</param>
/// <param name="MaxHwidSlots">1–16 (default 1).</param>
/// <param name="UnlimitedHwidSlots">Whether any number of HWIDs may validate (default false).</param>
/// <param name="Label">Up to 128 characters; <c>null</c> = no label.</param>
/// <param name="Variables">Flat object of license variables; <c>null</c> = none.</param>
public sealed record CreateLicensesRequest(
    string? AppId,
    int? Quantity,
    [property: AcceptsNull] DateTimeOffset? ExpiresAt,
    int? MaxHwidSlots,
    bool? UnlimitedHwidSlots,
    [property: AcceptsNull] string? Label,
    [property: AcceptsNull] JsonElement? Variables);

/// <summary>Body of <c>PUT /v1/licenses/{licenseKey}</c>.</summary>
/// <param name="Action">What to do (required).</param>
/// <param name="ExpiresAt"><c>extend</c> (required there) and <c>update</c>: the new expiry, <c>null</c> = lifetime.</param>
/// <param name="MaxHwidSlots"><c>update</c>: 1–16.</param>
/// <param name="UnlimitedHwidSlots"><c>update</c>.</param>
/// <param name="Label"><c>update</c>: up to 128 characters; <c>null</c> or <c>""</c> removes it.</param>
/// <param name="Variables"><c>update</c>: replaces the license variables (<c>null</c> or <c>{}</c> removes them).</param>
public sealed record UpdateLicenseRequest(
    LicenseAction? Action,
    Optional<DateTimeOffset?> ExpiresAt,
    int? MaxHwidSlots,
    bool? UnlimitedHwidSlots,
    Optional<string?> Label,
    Optional<JsonElement> Variables);

/// <summary>A bound (or recorded) HWID on the wire.</summary>
public sealed record HwidResponse(string Hwid, DateTimeOffset BoundAt, DateTimeOffset LastSeenAt, string? LastIp);

/// <summary>A license on the wire (docs/developer-api.md §4.3).</summary>
public sealed record LicenseResponse(
    string LicenseKey,
    string AppId,
    LicenseStatus Status,
    bool Expired,
    DateTimeOffset? ExpiresAt,
    int MaxHwidSlots,
    bool UnlimitedHwidSlots,
    IReadOnlyList<HwidResponse> HwidList,
    int HwidCount,
    string? Label,
    [property: JsonConverter(typeof(VariablesJsonConverter))] IReadOnlyList<Variable> Variables,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastValidatedAt)
{
    /// <summary>The wire view of a snapshot; <c>expired</c> is decided at <paramref name="now"/>.</summary>
    public static LicenseResponse From(LicenseSnapshot license, DateTimeOffset now) => new(
        license.LicenseKey,
        license.AppId,
        license.Status,
        license.IsExpired(now),
        license.ExpiresAt,
        license.MaxHwidSlots,
        license.UnlimitedHwidSlots,
        [.. license.Hwids.Select(h => new HwidResponse(h.Hwid, h.BoundAt, h.LastSeenAt, h.LastIp))],
        license.Hwids.Count,
        license.Label,
        license.Variables,
        license.CreatedAt,
        license.LastValidatedAt);
}

/// <summary>Answer of <c>GET /v1/licenses</c>: a page and the cursor of the next one (<c>null</c> on the last page).</summary>
public sealed record LicenseListResponse(IReadOnlyList<LicenseResponse> Licenses, string? Cursor);

/// <summary>Answer of <c>POST /v1/licenses</c>.</summary>
public sealed record CreatedLicensesResponse(IReadOnlyList<LicenseResponse> Licenses);
