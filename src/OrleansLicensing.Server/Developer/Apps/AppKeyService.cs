using OrleansLicensing.Apps;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Apps;

/// <summary>
/// The <c>admin:apps</c> operations on an app's key material and life: staged signing-key rotation
/// (docs/developer-api.md §4.2a), the one-step rotation, rotating the app secret and deleting the app.
/// Shared by <see cref="SigningKeysController"/>, <see cref="AppsController"/> and the web console,
/// so ownership, conflicts and messages are the same everywhere. Callers check the scope.
/// </summary>
public sealed class AppKeyService(IGrainFactory grains)
{
    /// <summary>The app's keys with their states: current first, then next, then previous keys newest first.</summary>
    public async Task<SigningKeyListResponse> ListSigningKeysAsync(ApiCaller caller, string appId)
    {
        var app = await grains.FindApp(caller, appId);
        var ordered = app.PublicKeys
            .OrderBy(k => k.State switch { SigningKeyState.Current => 0, SigningKeyState.Next => 1, _ => 2 })
            .ThenByDescending(k => k.CreatedAt);
        return new SigningKeyListResponse([.. ordered.Select(SigningKeyResponse.From)]);
    }

    /// <summary>One of the app's keys with its state; a key the app does not list is 404.</summary>
    public async Task<SigningKeyResponse> GetSigningKeyAsync(ApiCaller caller, string appId, string keyId)
    {
        var app = await grains.FindApp(caller, appId);
        return app.PublicKeys.FirstOrDefault(k => string.Equals(k.KeyId, keyId, StringComparison.Ordinal)) is { } key
            ? SigningKeyResponse.From(key)
            : throw ApiException.NotFound($"Signing key {keyId} not found");
    }

    /// <summary>Creates the <c>next</c> key (listed at once, signs nothing); a second next key is 409.</summary>
    public async Task<SigningKeyResponse> CreateNextSigningKeyAsync(ApiCaller caller, string appId)
    {
        await grains.FindApp(caller, appId);
        var change = Require(await App(appId).AddNextSigningKey(), appId, null,
            conflict: "The app already has a next signing key: promote or remove it first");
        return SigningKeyResponse.From(change.Key!);
    }

    /// <summary>The <c>next</c> key becomes current; the old current key becomes previous.</summary>
    public async Task<SigningKeyResponse> PromoteSigningKeyAsync(ApiCaller caller, string appId, string keyId)
    {
        await grains.FindApp(caller, appId);
        var change = Require(await App(appId).PromoteSigningKey(keyId), appId, keyId,
            conflict: $"Signing key {keyId} is not the next key; only the next key can be promoted");
        return SigningKeyResponse.From(change.Key!);
    }

    /// <summary>Removes a <c>next</c> or <c>previous</c> key; removing the current key is 409.</summary>
    public async Task RemoveSigningKeyAsync(ApiCaller caller, string appId, string keyId)
    {
        await grains.FindApp(caller, appId);
        Require(await App(appId).RemoveSigningKey(keyId), appId, keyId,
            conflict: $"Signing key {keyId} is the current key; promote another key before removing it");
    }

    /// <summary>
    /// One-step rotation (create + promote): a new key signs from the next response on; earlier keys stay
    /// listed as previous. While a next key is pending: 409.
    /// </summary>
    public async Task<AppResponse> RotateSigningKeyAsync(ApiCaller caller, string appId)
    {
        var current = await grains.FindApp(caller, appId);
        if (current.PublicKeys.Any(k => k.State == SigningKeyState.Next)) throw PendingNextKey();
        try
        {
            var app = await App(appId).RotateSigningKey() ?? throw ApiException.NotFound($"App {appId} not found");
            return AppResponse.From(app);
        }
        catch (InvalidOperationException)
        {
            // A next key created between the check above and the rotation.
            throw PendingNextKey();
        }
    }

    /// <summary>Replaces the app secret; the old one stops working at once. The answer carries the new one (shown only there).</summary>
    public async Task<AppResponse> RotateSecretAsync(ApiCaller caller, string appId)
    {
        await grains.FindApp(caller, appId);
        var rotated = await App(appId).RotateSecret() ?? throw ApiException.NotFound($"App {appId} not found");
        return AppResponse.From(rotated.App, rotated.AppSecret);
    }

    /// <summary>Deletes the app: from now on it and its licenses answer <c>invalid_app</c> on <c>/auth/*</c>.</summary>
    public async Task DeleteAsync(ApiCaller caller, string appId)
    {
        await grains.FindApp(caller, appId);
        if (!await App(appId).Delete()) throw ApiException.NotFound($"App {appId} not found");
        // After the delete: a crash in between leaves an id the list skips, never a listed-but-live mismatch.
        await grains.GetGrain<OrleansLicensing.Accounts.IAccountAppsGrain>(caller.AccountId).Unregister(appId);
    }

    private IAppGrain App(string appId) => grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId));

    private static SigningKeyChange Require(SigningKeyChange change, string appId, string? keyId, string conflict) => change.Outcome switch
    {
        SigningKeyChangeOutcome.Done => change,
        SigningKeyChangeOutcome.AppNotFound => throw ApiException.NotFound($"App {appId} not found"),
        SigningKeyChangeOutcome.KeyNotFound => throw ApiException.NotFound($"Signing key {keyId} not found"),
        _ => throw new ApiException(ApiErrors.Conflict, conflict),
    };

    private static ApiException PendingNextKey() =>
        new(ApiErrors.Conflict, "The app has a pending next signing key: promote or remove it (/v1/apps/{appId}/signing-keys) instead of rotating in one step");
}
