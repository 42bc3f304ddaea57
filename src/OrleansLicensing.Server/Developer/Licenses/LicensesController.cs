using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansLicensing.Licenses;

namespace OrleansLicensing.Server.Developer.Licenses;

/// <summary>
/// Licenses of docs/developer-api.md §4.3. Scopes: reads need <c>read:licenses</c>, create and change
/// <c>write:licenses</c>. The rules are in <see cref="LicenseService"/>, shared with the web console.
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/licenses"), Produces("application/json")]
public sealed class LicensesController(LicenseService licenses) : ControllerBase
{
    private ApiCaller Caller => HttpContext.ApiCaller();

    /// <summary>Creates 1–100 licenses of one app, each under a new random key.</summary>
    [HttpPost(Name = "createLicenses"), RequireScope(DeveloperScopes.WriteLicenses)]
    [ProducesResponseType<CreatedLicensesResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create([FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateLicensesRequest? body) =>
        StatusCode(StatusCodes.Status201Created, new CreatedLicensesResponse(await licenses.CreateAsync(Caller, body)));

    /// <summary>
    /// Licenses of one app, newest first, with keyset cursor pagination and optional filters:
    /// <c>status</c> (active | revoked | expired), <c>hwid</c> (exact), <c>label</c> (prefix).
    /// </summary>
    [HttpGet(Name = "listLicenses"), RequireScope(DeveloperScopes.ReadLicenses)]
    public Task<LicenseListResponse> List(
        [FromQuery] string? appId,
        [FromQuery] string? status,
        [FromQuery] string? hwid,
        [FromQuery] string? label,
        [FromQuery] string? limit,
        [FromQuery] string? cursor,
        CancellationToken cancellationToken) =>
        licenses.ListAsync(Caller, appId, status, hwid, label, limit, cursor, cancellationToken);

    /// <summary>The license; the key in the URL is canonicalized (trimmed, ASCII upper case).</summary>
    [HttpGet("{licenseKey}", Name = "getLicense"), RequireScope(DeveloperScopes.ReadLicenses)]
    public Task<LicenseResponse> Get(string licenseKey) => licenses.GetAsync(Caller, licenseKey);

    /// <summary>Revoke, activate, extend, reset-hwid or update a license.</summary>
    [HttpPut("{licenseKey}", Name = "updateLicense"), RequireScope(DeveloperScopes.WriteLicenses)]
    public Task<LicenseResponse> Change(string licenseKey, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] UpdateLicenseRequest? body) =>
        licenses.ChangeAsync(Caller, licenseKey, body);

    /// <summary>Alias of <c>PUT</c> with <c>{"action":"reset-hwid"}</c>: empties the HWID list; same answer.</summary>
    [HttpPost("{licenseKey}/hwid/reset", Name = "resetLicenseHwids"), RequireScope(DeveloperScopes.WriteLicenses)]
    public Task<LicenseResponse> ResetHwid(string licenseKey) =>
        Change(licenseKey, new UpdateLicenseRequest(LicenseAction.ResetHwid, default, null, null, default, default));

    /// <summary>Deletes the license: validate answers <c>invalid_key</c> from now on; the key is never reused. 204.</summary>
    [HttpDelete("{licenseKey}", Name = "deleteLicense"), RequireScope(DeveloperScopes.WriteLicenses)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(string licenseKey)
    {
        await licenses.DeleteAsync(Caller, licenseKey);
        return NoContent();
    }
}
