using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Account;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// The account's API keys (<see cref="ApiKeyService"/>): list, create (the key shown once) and revoke
/// (confirmed). The create form carries an operation id (<see cref="ConsoleOperations"/>): sending it
/// again shows the key it created and creates none.
/// </summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadAccount)]
public sealed class ApiKeysModel(ApiKeyService keys, ConsoleOperations operations) : ConsolePageModel
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public List<string> Scopes { get; set; } = [];
    [BindProperty] public string? ExpiresAt { get; set; }
    [BindProperty] public string? OperationId { get; set; }

    /// <summary>Whether <see cref="Created"/> is the answer to an earlier send of the same form.</summary>
    public bool Replayed { get; private set; }

    /// <summary>The key awaiting revoke confirmation.</summary>
    [BindProperty(SupportsGet = true)] public string? Revoke { get; set; }

    [BindProperty(SupportsGet = true)] public string? Done { get; set; }

    public IReadOnlyList<ApiKeyResponse> Keys { get; private set; } = [];

    /// <summary>The key just created, with the key itself (only in this response).</summary>
    public CreatedApiKeyResponse? Created { get; private set; }

    /// <summary>Scopes offered in the form, in the order of docs/developer-api.md §4.</summary>
    public static readonly string[] OfferedScopes =
    [
        DeveloperScopes.All, DeveloperScopes.ReadLicenses, DeveloperScopes.WriteLicenses, DeveloperScopes.ReadApps, DeveloperScopes.WriteApps,
        DeveloperScopes.AdminApps, DeveloperScopes.ReadWebhooks, DeveloperScopes.WriteWebhooks, DeveloperScopes.ReadLogs, DeveloperScopes.ReadAccount,
    ];

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        await LoadAsync();
        return Page();
    });

    [ConsoleScope(DeveloperScopes.All)]
    public Task<IActionResult> OnPostCreateAsync() => AttemptAsync(async () =>
    {
        var details = new List<string>();
        var expiresAt = ConsoleFormat.UtcTime(ExpiresAt, details, "expiresAt");
        ConsoleFormat.ThrowIfAny(details);
        (Created, Replayed) = await operations.OnceAsync(Caller.AccountId, "create-api-key", OperationId,
            () => keys.CreateAsync(Caller, new CreateApiKeyRequest(Name, [.. Scopes], expiresAt)), HttpContext.RequestAborted);
        (Name, Scopes, ExpiresAt) = (null, [], null);
        await LoadAsync();
        return Page();
    }, LoadAsync);

    [ConsoleScope(DeveloperScopes.All)]
    public Task<IActionResult> OnPostRevokeAsync(string apiKeyId) => AttemptAsync(async () =>
    {
        await keys.RevokeAsync(Caller, apiKeyId);
        return Redirect("/console/api-keys?done=revoked");
    }, LoadAsync);

    private async Task LoadAsync()
    {
        Keys = (await keys.ListAsync(Caller, "200", null)).ApiKeys;
        OperationId = ConsoleOperations.IdForForm(OperationId, refused: Failure is not null);
    }
}
