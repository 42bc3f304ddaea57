using Microsoft.AspNetCore.Mvc;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Developer;
using OrleansLicensing.Server.Developer.Apps;
using OrleansLicensing.Server.Developer.Webhooks;

namespace OrleansLicensing.Server.WebConsole.Pages;

/// <summary>One app: its settings (<see cref="AppService"/>) and its webhooks (<see cref="WebhookService"/>; a new webhook's secret is shown once).</summary>
[ConsoleArea(ConsoleSessionKind.Vendor), ConsoleScope(DeveloperScopes.ReadApps)]
public sealed class AppModel(AppService apps, WebhookService webhooks, AppSettingsService settings, ConsoleOperations operations) : ConsolePageModel
{
    [BindProperty(SupportsGet = true)] public string AppId { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? Done { get; set; }

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Status { get; set; }
    [BindProperty] public string? FailureHttpStatus { get; set; }
    [BindProperty] public string? DailyCreditCap { get; set; }
    [BindProperty] public string? SigningScheme { get; set; }

    [BindProperty] public string? WebhookUrl { get; set; }
    [BindProperty] public List<string> WebhookEvents { get; set; } = [];
    [BindProperty] public string? WebhookOperationId { get; set; }

    /// <summary>Whether <see cref="CreatedWebhook"/> is the answer to an earlier send of the same form.</summary>
    public bool WebhookReplayed { get; private set; }

    [BindProperty] public string? Variables { get; set; }
    [BindProperty] public string? EntryType { get; set; } = "hwid";
    [BindProperty] public string? EntryList { get; set; } = "block";
    [BindProperty] public string? EntryValue { get; set; }

    public AppResponse? App { get; private set; }
    public SecurityListsResponse? Security { get; private set; }
    public IReadOnlyList<WebhookResponse> Webhooks { get; private set; } = [];

    /// <summary>The webhook just created, with its secret (only in this response).</summary>
    public WebhookResponse? CreatedWebhook { get; private set; }

    public Task<IActionResult> OnGetAsync() => AttemptAsync(async () =>
    {
        await LoadAsync();
        Name = App!.Name;
        Status = App.Status == AppStatus.Disabled ? "disabled" : "active";
        FailureHttpStatus = App.FailureHttpStatus == FailureMode.Semantic ? "semantic" : "always200";
        DailyCreditCap = App.DailyCreditCap?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        SigningScheme = AppsModel.SchemeName(App.SigningScheme);
        Variables = ConsoleFormat.VariablesJson(App.Variables);
        return Page();
    });

    [ConsoleScope(DeveloperScopes.WriteApps)]
    public Task<IActionResult> OnPostVariablesAsync() => AttemptAsync(async () =>
    {
        var details = new List<string>();
        var body = ConsoleFormat.JsonObject(string.IsNullOrWhiteSpace(Variables) ? "{}" : Variables, details, "variables");
        ConsoleFormat.ThrowIfAny(details);
        await settings.SetVariablesAsync(Caller, AppId, body!.Value);
        return Redirect($"/console/apps/{Uri.EscapeDataString(AppId)}?done=variables#variables-heading");
    }, LoadKeepingFormAsync);

    [ConsoleScope(DeveloperScopes.WriteApps)]
    public Task<IActionResult> OnPostSecurityAddAsync() => EditSecurityAsync(add: true);

    [ConsoleScope(DeveloperScopes.WriteApps)]
    public Task<IActionResult> OnPostSecurityRemoveAsync() => EditSecurityAsync(add: false);

    private Task<IActionResult> EditSecurityAsync(bool add) => AttemptAsync(async () =>
    {
        SecurityEntryType? type = EntryType switch { "hwid" => SecurityEntryType.Hwid, "ip" => SecurityEntryType.Ip, _ => null };
        await settings.EditSecurityAsync(Caller, AppId, new SecurityEntryRequest(type, EntryValue), whitelist: EntryList == "allow", add);
        return Redirect($"/console/apps/{Uri.EscapeDataString(AppId)}?done={(add ? "entry-added" : "entry-removed")}#security-heading");
    }, LoadKeepingFormAsync, SecurityFields);

    // The forms' fields whose id is not the API member they send.
    private static readonly Dictionary<string, string> SecurityFields = new() { ["value"] = "entryValue", ["type"] = "entryType" };
    private static readonly Dictionary<string, string> WebhookFields = new() { ["url"] = "webhookUrl", ["events"] = "webhookEvents" };

    [ConsoleScope(DeveloperScopes.WriteApps)]
    public Task<IActionResult> OnPostSettingsAsync() => AttemptAsync(async () =>
    {
        var details = new List<string>();
        var cap = ConsoleFormat.Integer(DailyCreditCap, details, "dailyCreditCap: must be an integer >= 1 or null");
        AppStatus? status = Status switch { "active" => AppStatus.Active, "disabled" => AppStatus.Disabled, _ => Invalid<AppStatus>(details, "status: must be active or disabled") };
        FailureMode? mode = FailureHttpStatus switch { "always200" => FailureMode.Always200, "semantic" => FailureMode.Semantic, _ => Invalid<FailureMode>(details, "failureHttpStatus: must be always200 or semantic") };
        SigningScheme? scheme = SigningScheme switch
        {
            "ed25519" => Apps.SigningScheme.Ed25519,
            "hmac-v1" => Apps.SigningScheme.HmacV1,
            "hmac-v2" => Apps.SigningScheme.HmacV2,
            _ => Invalid<SigningScheme>(details, "signingScheme: must be ed25519, hmac-v1 or hmac-v2"),
        };
        ConsoleFormat.ThrowIfAny(details);
        await apps.UpdateAsync(Caller, AppId, new UpdateAppRequest(Name ?? "", status, mode, new Optional<long?>(true, cap), scheme));
        return Redirect($"/console/apps/{Uri.EscapeDataString(AppId)}?done=settings");
    }, LoadKeepingFormAsync);

    [ConsoleScope(DeveloperScopes.WriteWebhooks)]
    public Task<IActionResult> OnPostWebhookAsync() => AttemptAsync(async () =>
    {
        (CreatedWebhook, WebhookReplayed) = await operations.OnceAsync(Caller.AccountId, "create-webhook", WebhookOperationId,
            () => webhooks.CreateAsync(Caller, AppId, new CreateWebhookRequest(WebhookUrl, [.. WebhookEvents], true), HttpContext.RequestAborted), HttpContext.RequestAborted);
        (WebhookUrl, WebhookEvents) = (null, []);
        await LoadKeepingFormAsync();
        return Page();
    }, LoadKeepingFormAsync, WebhookFields);

    // After a refused form: what the page shows is reloaded; the settings fields keep what was sent only for that form.
    private async Task LoadKeepingFormAsync()
    {
        await LoadAsync();
        var app = App!;
        Name ??= app.Name;
        Status ??= app.Status == AppStatus.Disabled ? "disabled" : "active";
        FailureHttpStatus ??= app.FailureHttpStatus == FailureMode.Semantic ? "semantic" : "always200";
        SigningScheme ??= AppsModel.SchemeName(app.SigningScheme);
        Variables ??= ConsoleFormat.VariablesJson(app.Variables);
    }

    private async Task LoadAsync()
    {
        App = await apps.GetAsync(Caller, AppId);
        Security = await settings.GetSecurityAsync(Caller, AppId);
        if (Visitor!.Can(DeveloperScopes.ReadWebhooks)) Webhooks = (await webhooks.ListAsync(Caller, AppId)).Webhooks;
        WebhookOperationId = ConsoleOperations.IdForForm(WebhookOperationId, refused: Failure is not null);
    }

    private static T? Invalid<T>(List<string> details, string problem) where T : struct
    {
        details.Add(problem);
        return null;
    }
}
