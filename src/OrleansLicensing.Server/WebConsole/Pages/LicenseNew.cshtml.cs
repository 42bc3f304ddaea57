using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Apps;
using OrleansLicensing.Server.Developer.Licenses;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// Creates 1–100 licenses of an app (<c>POST /v1/licenses</c> through <see cref="LicenseService"/>).
/// The form carries an operation id (<see cref="ConsoleOperations"/>): sending it again (a reload of
/// the answer, a double click) shows the batch it created and creates none.
/// </summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.WriteLicenses)]
public sealed class LicenseNewModel(LicenseService licenses, AppService apps, ConsoleOperations operations, TimeProvider time) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string? AppId { get; set; }
    [BindProperty] public string? Quantity { get; set; } = "1";
    [BindProperty] public string? ExpiresAt { get; set; }
    [BindProperty] public string? MaxHwidSlots { get; set; } = "1";
    [BindProperty] public bool UnlimitedHwidSlots { get; set; }
    [BindProperty] public string? Label { get; set; }
    [BindProperty] public string? Variables { get; set; }
    [BindProperty] public string? OperationId { get; set; }

    public IReadOnlyList<AppResponse> Apps { get; private set; } = [];

    /// <summary>The batch just created (or created by the first send of this form).</summary>
    public CreatedBatch? Created { get; private set; }

    /// <summary>Whether <see cref="Created"/> is the answer to an earlier send of the same form.</summary>
    public bool Replayed { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        await LoadAppsAsync();
        return Page();
    });

    public Task<IActionResult> OnPostAsync() => AttemptAsync(async () =>
    {
        var details = new List<string>();
        var quantityProblem = $"quantity: must be an integer from 1 to {LicenseService.MaxQuantity}";
        var slotsProblem = $"maxHwidSlots: must be an integer from 1 to {LicenseService.MaxHwidSlots}";
        var quantity = ConsoleFormat.Integer(Quantity, details, quantityProblem);
        var slots = ConsoleFormat.Integer(MaxHwidSlots, details, slotsProblem);
        var expiresAt = ConsoleFormat.UtcTime(ExpiresAt, details, "expiresAt");
        var variables = ConsoleFormat.JsonObject(Variables, details, "variables");
        // The service's ranges, checked here too so that one send reports every field at once.
        if (quantity is < 1 or > LicenseService.MaxQuantity) details.Add(quantityProblem);
        if (slots is < 1 or > LicenseService.MaxHwidSlots) details.Add(slotsProblem);
        // The API takes a past expiry (the licenses are born expired); in the console that is a typo.
        if (expiresAt <= time.GetUtcNow()) details.Add("expiresAt: must be in the future (empty for a lifetime license)");
        ConsoleFormat.ThrowIfAny(details);
        (Created, Replayed) = await operations.OnceAsync(Caller.AccountId, "create-licenses", OperationId, async () =>
        {
            var created = await licenses.CreateAsync(Caller, new CreateLicensesRequest(
                AppId, (int?)quantity, expiresAt, (int?)slots, UnlimitedHwidSlots, Label, variables));
            return new CreatedBatch(created[0].AppId, [.. created.Select(l => l.LicenseKey)]);
        }, HttpContext.RequestAborted);
        // Done: the form starts over for the next batch (same app).
        AppId = Created.AppId;
        (Quantity, ExpiresAt, MaxHwidSlots, UnlimitedHwidSlots, Label, Variables) = ("1", null, "1", false, null, null);
        await LoadAppsAsync();
        return Page();
    }, LoadAppsAsync);

    private async Task LoadAppsAsync()
    {
        if (Visitor!.Can(DeveloperScopes.ReadApps)) Apps = (await apps.ListAsync(Caller, "200", null)).Apps;
        OperationId = ConsoleOperations.IdForForm(OperationId, refused: Failure is not null);
    }

    /// <summary>What a create made: the app and the new keys.</summary>
    public sealed record CreatedBatch(string AppId, string[] LicenseKeys);
}
