using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer;

/// <summary>
/// Staged signing-key rotation of developer-api.md §4.2a: create the next key, ship clients that trust it,
/// promote it, later remove the old one. <c>read:apps</c> lists; the mutations need <c>admin:apps</c>
/// (they change what shipped clients must trust).
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/apps/{appId}/signing-keys"), Produces("application/json")]
public sealed class SigningKeysController(IGrainFactory grains) : ControllerBase
{
    private ApiCaller Caller => HttpContext.ApiCaller();

    /// <summary>The app's keys with their states, current first.</summary>
    [HttpGet, RequireScope(DeveloperScopes.ReadApps)]
    public async Task<SigningKeyListResponse> List(string appId)
    {
        var app = await grains.FindApp(Caller, appId);
        var ordered = app.PublicKeys
            .OrderBy(k => k.State switch { SigningKeyState.Current => 0, SigningKeyState.Next => 1, _ => 2 })
            .ThenByDescending(k => k.CreatedAt);
        return new SigningKeyListResponse([.. ordered.Select(SigningKeyResponse.From)]);
    }

    /// <summary>Creates the <c>next</c> key: listed in <c>publicKeys</c> at once, signs nothing. A second next key is 409.</summary>
    [HttpPost, RequireScope(DeveloperScopes.AdminApps)]
    [ProducesResponseType<SigningKeyResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> CreateNext(string appId)
    {
        await grains.FindApp(Caller, appId);
        var change = Require(await App(appId).AddNextSigningKey(), appId, null,
            conflict: "The app already has a next signing key: promote or remove it first");
        return Created($"/v1/apps/{appId}/signing-keys/{change.Key!.KeyId}", SigningKeyResponse.From(change.Key));
    }

    /// <summary>The <c>next</c> key becomes current on every silo for the very next response; the old current key becomes previous.</summary>
    [HttpPost("{keyId}/promote"), RequireScope(DeveloperScopes.AdminApps)]
    public async Task<SigningKeyResponse> Promote(string appId, string keyId)
    {
        await grains.FindApp(Caller, appId);
        var change = Require(await App(appId).PromoteSigningKey(keyId), appId, keyId,
            conflict: $"Signing key {keyId} is not the next key; only the next key can be promoted");
        return SigningKeyResponse.From(change.Key!);
    }

    /// <summary>Removes a <c>next</c> or <c>previous</c> key from <c>publicKeys</c>; removing the current key is 409.</summary>
    [HttpDelete("{keyId}"), RequireScope(DeveloperScopes.AdminApps)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Remove(string appId, string keyId)
    {
        await grains.FindApp(Caller, appId);
        Require(await App(appId).RemoveSigningKey(keyId), appId, keyId,
            conflict: $"Signing key {keyId} is the current key; promote another key before removing it");
        return NoContent();
    }

    private IAppGrain App(string appId) => grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId));

    private static SigningKeyChange Require(SigningKeyChange change, string appId, string? keyId, string conflict) => change.Outcome switch
    {
        SigningKeyChangeOutcome.Done => change,
        SigningKeyChangeOutcome.AppNotFound => throw ApiException.NotFound($"App {appId} not found"),
        SigningKeyChangeOutcome.KeyNotFound => throw ApiException.NotFound($"Signing key {keyId} not found"),
        _ => throw new ApiException(ApiErrors.Conflict, conflict),
    };
}
