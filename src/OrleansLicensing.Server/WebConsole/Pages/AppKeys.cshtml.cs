using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Apps;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// An app's key material and life, through <see cref="AppKeyService"/> (the service of
/// <c>/v1/apps/{id}/signing-keys</c>, <c>rotate-signing-key</c>, <c>rotate-secret</c> and
/// <c>DELETE /v1/apps/{id}</c>): staged signing-key rotation, the one-step rotation, a new app secret
/// (shown once) and deleting the app. Reading needs <c>read:apps</c>; every change <c>admin:apps</c>, as
/// on the API. The changes that break shipped clients ask for a confirmation first. The secret's
/// confirmation carries an operation id (<see cref="ConsoleOperations"/>): sending it again (a reload
/// of the answer) shows the same new secret and does not rotate again.
/// </summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadApps)]
public sealed class AppKeysModel(AppService apps, AppKeyService keys, ConsoleOperations operations) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string AppId { get; set; } = "";

    /// <summary>The action awaiting confirmation: promote, remove, rotate, rotate-secret, delete.</summary>
    [BindProperty(SupportsGet = true)] public string? Confirm { get; set; }

    /// <summary>The signing key a promote or remove is about.</summary>
    [BindProperty(SupportsGet = true)] public string? KeyId { get; set; }

    /// <summary>The action just done (after the redirect).</summary>
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }

    /// <summary>The operation id of the secret rotation's confirmation.</summary>
    [BindProperty] public string? OperationId { get; set; }

    public AppResponse? App { get; private set; }
    public IReadOnlyList<SigningKeyResponse> SigningKeys { get; private set; } = [];

    /// <summary>The new app secret, in the answer to the rotation (and to a resend of the same form).</summary>
    public string? NewSecret { get; private set; }

    /// <summary>Whether <see cref="NewSecret"/> comes from an earlier send of the same form.</summary>
    public bool Replayed { get; private set; }

    public string? DoneMessage => Done switch
    {
        "next" => "Next signing key created. Ship clients that trust it, then promote it.",
        "promote" => $"Signing key promoted: it signs every {SignedOne} from now on.",
        "remove" => "Signing key removed.",
        "rotate" => $"Signing key rotated: the new key signs every {SignedOne} from now on.",
        _ => null,
    };

    /// <summary>What the app's signing key signs: with ed25519 responses and offline files, with hmac-v1/v2 only offline files.</summary>
    public string Signed => App is null || AppsModel.SignsResponses(App.SigningScheme) ? "responses and offline files" : "offline files";

    /// <summary>One of what the key signs: a response (ed25519) or an offline file (hmac-v1/v2).</summary>
    public string SignedOne => App is null || AppsModel.SignsResponses(App.SigningScheme) ? "response" : "offline file";

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        await LoadAsync();
        return Page();
    });

    [ConsoleScope(DeveloperScopes.AdminApps)]
    public Task<IActionResult> OnPostNextAsync() => AttemptAsync(async () =>
    {
        await keys.CreateNextSigningKeyAsync(Caller, AppId);
        return Redirect(Self("next"));
    }, LoadAsync);

    [ConsoleScope(DeveloperScopes.AdminApps)]
    public Task<IActionResult> OnPostPromoteAsync() => AttemptAsync(async () =>
    {
        await keys.PromoteSigningKeyAsync(Caller, AppId, KeyId ?? "");
        return Redirect(Self("promote"));
    }, LoadAsync);

    [ConsoleScope(DeveloperScopes.AdminApps)]
    public Task<IActionResult> OnPostRemoveAsync() => AttemptAsync(async () =>
    {
        await keys.RemoveSigningKeyAsync(Caller, AppId, KeyId ?? "");
        return Redirect(Self("remove"));
    }, LoadAsync);

    [ConsoleScope(DeveloperScopes.AdminApps)]
    public Task<IActionResult> OnPostRotateAsync() => AttemptAsync(async () =>
    {
        await keys.RotateSigningKeyAsync(Caller, AppId);
        return Redirect(Self("rotate"));
    }, LoadAsync);

    [ConsoleScope(DeveloperScopes.AdminApps)]
    public Task<IActionResult> OnPostRotateSecretAsync() => AttemptAsync(async () =>
    {
        // The answer to this form (and to a resend of it) is the only place the new secret appears.
        (NewSecret, Replayed) = await operations.OnceAsync(Caller.AccountId, $"rotate-secret:{AppId}", OperationId, async () =>
            (await keys.RotateSecretAsync(Caller, AppId)).AppSecret!, HttpContext.RequestAborted);
        Confirm = null;
        await LoadAsync();
        return Page();
    }, LoadAsync);

    [ConsoleScope(DeveloperScopes.AdminApps)]
    public Task<IActionResult> OnPostDeleteAsync() => AttemptAsync(async () =>
    {
        await keys.DeleteAsync(Caller, AppId);
        return Redirect("/console/apps?deleted=1");
    }, LoadAsync);

    private async Task LoadAsync()
    {
        OperationId = ConsoleOperations.IdForForm(OperationId, refused: Failure is not null);
        App = await apps.GetAsync(Caller, AppId);
        SigningKeys = (await keys.ListSigningKeysAsync(Caller, AppId)).SigningKeys;
    }

    private string Self(string done) => $"/console/apps/{Uri.EscapeDataString(AppId)}/keys?done={done}";

    /// <summary>The wire name of a key state.</summary>
    public static string StateName(SigningKeyState state) => state switch
    {
        SigningKeyState.Current => "current",
        SigningKeyState.Next => "next",
        _ => "previous",
    };
}
