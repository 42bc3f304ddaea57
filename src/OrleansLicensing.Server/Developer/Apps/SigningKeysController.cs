using Microsoft.AspNetCore.Mvc;

namespace OrleansLicensing.Server.Developer.Apps;

/// <summary>
/// Staged signing-key rotation of docs/developer-api.md §4.2a: create the next key, ship clients that trust it,
/// promote it, later remove the old one. <c>read:apps</c> lists; the mutations need <c>admin:apps</c>
/// (they change what shipped clients must trust).
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/apps/{appId}/signing-keys"), Produces("application/json")]
public sealed class SigningKeysController(AppKeyService keys) : ControllerBase
{
    private ApiCaller Caller => HttpContext.ApiCaller();

    /// <summary>The app's keys with their states, current first.</summary>
    [HttpGet(Name = "listSigningKeys"), RequireScope(DeveloperScopes.ReadApps)]
    public Task<SigningKeyListResponse> List(string appId) => keys.ListSigningKeysAsync(Caller, appId);

    /// <summary>One key with its state (the <c>Location</c> of a created key).</summary>
    [HttpGet("{keyId}", Name = "getSigningKey"), RequireScope(DeveloperScopes.ReadApps)]
    public Task<SigningKeyResponse> Get(string appId, string keyId) => keys.GetSigningKeyAsync(Caller, appId, keyId);

    /// <summary>Creates the <c>next</c> key: listed in <c>publicKeys</c> at once, signs nothing. A second next key is 409.</summary>
    [HttpPost(Name = "createSigningKey"), RequireScope(DeveloperScopes.AdminApps)]
    [ProducesResponseType<SigningKeyResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> CreateNext(string appId)
    {
        var key = await keys.CreateNextSigningKeyAsync(Caller, appId);
        return Created($"/v1/apps/{appId}/signing-keys/{key.KeyId}", key);
    }

    /// <summary>The <c>next</c> key becomes current on every silo for the very next response; the old current key becomes previous.</summary>
    [HttpPost("{keyId}/promote", Name = "promoteSigningKey"), RequireScope(DeveloperScopes.AdminApps)]
    public Task<SigningKeyResponse> Promote(string appId, string keyId) => keys.PromoteSigningKeyAsync(Caller, appId, keyId);

    /// <summary>Removes a <c>next</c> or <c>previous</c> key from <c>publicKeys</c>; removing the current key is 409.</summary>
    [HttpDelete("{keyId}", Name = "deleteSigningKey"), RequireScope(DeveloperScopes.AdminApps)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Remove(string appId, string keyId)
    {
        await keys.RemoveSigningKeyAsync(Caller, appId, keyId);
        return NoContent();
    }
}
