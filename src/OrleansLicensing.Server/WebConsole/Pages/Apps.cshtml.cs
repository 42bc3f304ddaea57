using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Apps;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// The vendor's apps and creating one (<see cref="AppService"/>); the new app's secret is shown once, in
/// the answer to the create. The form carries an operation id (<see cref="ConsoleOperations"/>): sending
/// it again (a reload of the answer, a double click) shows the app it created and creates none.
/// </summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadApps)]
public sealed class AppsModel(AppService apps, ConsoleOperations operations) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string? Deleted { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? SigningScheme { get; set; } = "ed25519";
    [BindProperty] public string? OperationId { get; set; }

    /// <summary>Whether <see cref="Created"/> is the answer to an earlier send of the same form.</summary>
    public bool Replayed { get; private set; }

    public IReadOnlyList<AppResponse> Apps { get; private set; } = [];

    /// <summary>The app just created, with its secret (only in this response).</summary>
    public AppResponse? Created { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        await LoadAsync();
        return Page();
    });

    [ConsoleScope(DeveloperScopes.WriteApps)]
    public Task<IActionResult> OnPostAsync() => AttemptAsync(async () =>
    {
        OrleansLicensing.Apps.SigningScheme? scheme = SigningScheme switch
        {
            "ed25519" or null or "" => OrleansLicensing.Apps.SigningScheme.Ed25519,
            "hmac-v1" => OrleansLicensing.Apps.SigningScheme.HmacV1,
            "hmac-v2" => OrleansLicensing.Apps.SigningScheme.HmacV2,
            _ => throw Http.ApiException.BadRequest("signingScheme: must be ed25519, hmac-v1 or hmac-v2"),
        };
        (Created, Replayed) = await operations.OnceAsync(Caller.AccountId, "create-app", OperationId,
            () => apps.CreateAsync(Caller, new CreateAppRequest(Name, scheme, null, null)), HttpContext.RequestAborted);
        Name = null;
        await LoadAsync();
        return Page();
    }, LoadAsync);

    private async Task LoadAsync()
    {
        Apps = (await apps.ListAsync(Caller, "200", null)).Apps;
        OperationId = ConsoleOperations.IdForForm(OperationId, refused: Failure is not null);
    }

    /// <summary>
    /// What the app's Ed25519 public key checks: with ed25519 responses and offline files; with the HMAC
    /// schemes only offline files (responses are HMACs with the app secret).
    /// </summary>
    public static string PublicKeyLabel(SigningScheme scheme) => SignsResponses(scheme)
        ? "Public key (Ed25519: responses and offline files)"
        : $"Public key for offline files (Ed25519; responses are {SchemeName(scheme)} HMACs with the app secret)";

    /// <summary>Whether the app's signing key signs responses (ed25519) or only offline files (hmac-v1, hmac-v2).</summary>
    public static bool SignsResponses(SigningScheme scheme) => scheme == OrleansLicensing.Apps.SigningScheme.Ed25519;

    /// <summary>The wire name of a signing scheme.</summary>
    public static string SchemeName(SigningScheme scheme) => scheme switch
    {
        OrleansLicensing.Apps.SigningScheme.HmacV1 => "hmac-v1",
        OrleansLicensing.Apps.SigningScheme.HmacV2 => "hmac-v2",
        _ => "ed25519",
    };
}
