using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace OrleansLicensing.Server.Developer.Apps;

/// <summary>
/// Apps of docs/developer-api.md §4.2. Scopes: reads and the list need <c>read:apps</c>; create and update
/// <c>write:apps</c>; replacing key material (rotate-secret, rotate-signing-key) and delete <c>admin:apps</c>.
/// Create, list, read and update are in <see cref="AppService"/>, shared with the web console.
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/apps"), Produces("application/json")]
public sealed class AppsController(AppService apps, AppKeyService keys) : ControllerBase
{
    private ApiCaller Caller => HttpContext.ApiCaller();

    /// <summary>Creates an app with a generated secret (shown only here and on rotate-secret) and signing key.</summary>
    [HttpPost(Name = "createApp"), RequireScope(DeveloperScopes.WriteApps)]
    [ProducesResponseType<AppResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create([FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateAppRequest? body)
    {
        var created = await apps.CreateAsync(Caller, body);
        return Created($"/v1/apps/{created.AppId}", created);
    }

    /// <summary>The caller's apps, without secrets, in app id order (a stable keyset order).</summary>
    [HttpGet(Name = "listApps"), RequireScope(DeveloperScopes.ReadApps)]
    public Task<AppListResponse> List([FromQuery] string? limit, [FromQuery] string? cursor) => apps.ListAsync(Caller, limit, cursor);

    /// <summary>
    /// Deletes the app: from now on it and its licenses answer <c>invalid_app</c> on <c>/auth/*</c>.
    /// Needs <c>admin:apps</c> (irreversible, like replacing key material). 204 without a body.
    /// </summary>
    [HttpDelete("{appId}", Name = "deleteApp"), RequireScope(DeveloperScopes.AdminApps)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(string appId)
    {
        await keys.DeleteAsync(Caller, appId);
        return NoContent();
    }

    /// <summary>The app, without its secret.</summary>
    [HttpGet("{appId}", Name = "getApp"), RequireScope(DeveloperScopes.ReadApps)]
    public Task<AppResponse> Get(string appId) => apps.GetAsync(Caller, appId);

    /// <summary>Partial update of name, status, failure mode, daily cap and signing scheme.</summary>
    [HttpPut("{appId}", Name = "updateApp"), RequireScope(DeveloperScopes.WriteApps)]
    public Task<AppResponse> Update(string appId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] UpdateAppRequest? body) =>
        apps.UpdateAsync(Caller, appId, body);

    /// <summary>Replaces the app secret; the old one stops working at once. The new one is shown only here.</summary>
    [HttpPost("{appId}/rotate-secret", Name = "rotateAppSecret"), RequireScope(DeveloperScopes.AdminApps)]
    public Task<AppResponse> RotateSecret(string appId) => keys.RotateSecretAsync(Caller, appId);

    /// <summary>
    /// One-step rotation (create + promote): a new key signs from the next response on; earlier public keys
    /// stay listed as previous. Clients that trust only the old key fail from then on (docs/protocol.md §4.6);
    /// the staged routes of <see cref="SigningKeysController"/> avoid that. While a next key is pending: 409.
    /// </summary>
    [HttpPost("{appId}/rotate-signing-key", Name = "rotateAppSigningKey"), RequireScope(DeveloperScopes.AdminApps)]
    public Task<AppResponse> RotateSigningKey(string appId) => keys.RotateSigningKeyAsync(Caller, appId);
}
