using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Licenses;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>
/// Edits a license after creation: label, HWID slots and variables, as
/// <c>PUT /v1/licenses/{key}</c> with <c>{"action":"update"}</c> does, through the same
/// <see cref="LicenseService.ChangeAsync"/> (same limits, same events). Only what changed is sent.
/// </summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.WriteLicenses)]
public sealed class LicenseEditModel(LicenseService licenses) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string LicenseKey { get; set; } = "";
    [BindProperty] public string? Label { get; set; }
    [BindProperty] public string? MaxHwidSlots { get; set; }
    [BindProperty] public bool UnlimitedHwidSlots { get; set; }
    [BindProperty] public string? Variables { get; set; }

    public LicenseResponse? License { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        await LoadAsync();
        var license = License!;
        Label = license.Label;
        MaxHwidSlots = license.MaxHwidSlots.ToString(System.Globalization.CultureInfo.InvariantCulture);
        UnlimitedHwidSlots = license.UnlimitedHwidSlots;
        Variables = ConsoleFormat.VariablesJson(license.Variables);
        return Page();
    });

    public Task<IActionResult> OnPostAsync() => AttemptAsync(async () =>
    {
        var details = new List<string>();
        var slotsProblem = $"maxHwidSlots: must be an integer from 1 to {LicenseService.MaxHwidSlots}";
        var slots = ConsoleFormat.Integer(MaxHwidSlots, details, slotsProblem);
        if (slots is < int.MinValue or > int.MaxValue) details.Add(slotsProblem);
        var variables = ConsoleFormat.JsonObject(string.IsNullOrWhiteSpace(Variables) ? "{}" : Variables, details, "variables");
        ConsoleFormat.ThrowIfAny(details);

        var current = await licenses.GetAsync(Caller, LicenseKey);
        var label = string.IsNullOrEmpty(Label) ? null : Label;
        var changedVariables = !JsonEquals(variables!.Value, ConsoleFormat.VariablesJson(current.Variables));
        var request = new UpdateLicenseRequest(
            LicenseAction.Update,
            default,
            slots is { } s && s != current.MaxHwidSlots ? (int)s : null,
            UnlimitedHwidSlots != current.UnlimitedHwidSlots ? UnlimitedHwidSlots : null,
            label != current.Label ? new Optional<string?>(true, label) : default,
            changedVariables ? new Optional<JsonElement>(true, variables.Value) : default);
        if (request.MaxHwidSlots is null && request.UnlimitedHwidSlots is null && !request.Label.IsSet && !request.Variables.IsSet)
        {
            return Redirect(Self(current.LicenseKey, "unchanged"));
        }
        var changed = await licenses.ChangeAsync(Caller, current.LicenseKey, request);
        return Redirect(Self(changed.LicenseKey, "update"));
    }, LoadAsync);

    private async Task LoadAsync() => License = await licenses.GetAsync(Caller, LicenseKey);

    private static string Self(string key, string done) => $"/console/licenses/{Uri.EscapeDataString(key)}?done={done}";

    // Whether the typed object equals the stored variables (compared as written back by VariablesJson).
    private static bool JsonEquals(JsonElement typed, string stored)
    {
        if (typed.ValueKind != JsonValueKind.Object) return false;
        using var current = JsonDocument.Parse(string.IsNullOrEmpty(stored) ? "{}" : stored);
        return JsonElement.DeepEquals(typed, current.RootElement);
    }
}
