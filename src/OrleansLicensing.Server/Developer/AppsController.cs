using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using OrleansLicensing.Apps;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer;

/// <summary>
/// Apps of developer-api.md §4.2. Scopes: reads and the list need <c>read:apps</c>; create and update
/// <c>write:apps</c>; replacing key material (rotate-secret, rotate-signing-key) and delete <c>admin:apps</c>.
/// </summary>
[ApiController, ApiKeyAuthorize, Route("v1/apps"), Produces("application/json")]
public sealed class AppsController(IGrainFactory grains) : ControllerBase
{
    private const int MaxNameLength = 200;
    private const string AppCursorKind = "app";

    private ApiCaller Caller => HttpContext.ApiCaller();

    /// <summary>Creates an app with a generated secret (shown only here and on rotate-secret) and signing key.</summary>
    [HttpPost, RequireScope(DeveloperScopes.WriteApps)]
    [ProducesResponseType<AppResponse>(StatusCodes.Status201Created)]
    public async Task<IActionResult> Create([FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] CreateAppRequest? body)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        var name = ValidName(body.Name, details, missing: "required");
        if (body.DailyCreditCap is < 1) details.Add("dailyCreditCap: must be an integer >= 1 or null");
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        var appId = Guid.NewGuid().ToString();
        // Listed first: a crash before the app exists leaves an id the list skips, never an unlisted app.
        await grains.GetGrain<OrleansLicensing.Accounts.IAccountAppsGrain>(Caller.AccountId).Register(appId);
        var created = await grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId)).Create(new CreateApp(
            Caller.AccountId,
            name!,
            body.SigningScheme ?? SigningScheme.Ed25519,
            body.FailureHttpStatus ?? FailureMode.Always200,
            body.DailyCreditCap))
            ?? throw new InvalidOperationException($"A new random app id {appId} was taken");
        return Created($"/v1/apps/{appId}", AppResponse.From(created.App, created.AppSecret));
    }

    /// <summary>The caller's apps, without secrets, in app id order (a stable keyset order).</summary>
    [HttpGet, RequireScope(DeveloperScopes.ReadApps)]
    public async Task<AppListResponse> List([FromQuery] string? limit, [FromQuery] string? cursor)
    {
        var pageSize = Pagination.Limit(limit);
        var after = Pagination.Decode(AppCursorKind, cursor, OwnedResources.IsAppId);
        var index = grains.GetGrain<OrleansLicensing.Accounts.IAccountAppsGrain>(Caller.AccountId);

        var apps = new List<AppResponse>(pageSize);
        var last = after;
        var exhausted = false;
        while (apps.Count < pageSize && !exhausted)
        {
            var wanted = pageSize - apps.Count;
            var ids = await index.List(last, wanted);
            exhausted = ids.Count < wanted;
            var snapshots = await Task.WhenAll(ids.Select(id => grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(id)).Get()));
            // Ids whose app is gone (deleted, or a crash between registering and creating) are skipped.
            apps.AddRange(snapshots.Where(a => a is not null && a.AccountId == Caller.AccountId).Select(a => AppResponse.From(a!)));
            if (ids.Count > 0) last = ids[^1];
        }
        return new AppListResponse(apps, !exhausted && last is not null ? Pagination.Encode(AppCursorKind, last) : null);
    }

    /// <summary>
    /// Deletes the app: from now on it and its licenses answer <c>invalid_app</c> on <c>/auth/*</c>.
    /// Needs <c>admin:apps</c> (irreversible, like replacing key material). 204 without a body.
    /// </summary>
    [HttpDelete("{appId}"), RequireScope(DeveloperScopes.AdminApps)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public async Task<IActionResult> Delete(string appId)
    {
        await grains.FindApp(Caller, appId);
        if (!await grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId)).Delete()) throw ApiException.NotFound($"App {appId} not found");
        // After the delete: a crash in between leaves an id the list skips, never a listed-but-live mismatch.
        await grains.GetGrain<OrleansLicensing.Accounts.IAccountAppsGrain>(Caller.AccountId).Unregister(appId);
        return NoContent();
    }

    /// <summary>The app, without its secret.</summary>
    [HttpGet("{appId}"), RequireScope(DeveloperScopes.ReadApps)]
    public async Task<AppResponse> Get(string appId) => AppResponse.From(await grains.FindApp(Caller, appId));

    /// <summary>Partial update of name, status, failure mode, daily cap and signing scheme.</summary>
    [HttpPut("{appId}"), RequireScope(DeveloperScopes.WriteApps)]
    public async Task<AppResponse> Update(string appId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] UpdateAppRequest? body)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        var name = body.Name is null ? null : ValidName(body.Name, details, missing: "must not be empty");
        if (body.DailyCreditCap is { IsSet: true, Value: < 1 }) details.Add("dailyCreditCap: must be an integer >= 1 or null");
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        await grains.FindApp(Caller, appId);
        var update = new UpdateApp(
            Name: name,
            Status: body.Status,
            FailureHttpStatus: body.FailureHttpStatus,
            SigningScheme: body.SigningScheme,
            SetDailyCreditCap: body.DailyCreditCap.IsSet,
            DailyCreditCap: body.DailyCreditCap.Value);
        var app = await grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId)).Update(update)
            ?? throw ApiException.NotFound($"App {appId} not found");
        return AppResponse.From(app);
    }

    /// <summary>Replaces the app secret; the old one stops working at once. The new one is shown only here.</summary>
    [HttpPost("{appId}/rotate-secret"), RequireScope(DeveloperScopes.AdminApps)]
    public async Task<AppResponse> RotateSecret(string appId)
    {
        await grains.FindApp(Caller, appId);
        var rotated = await grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId)).RotateSecret()
            ?? throw ApiException.NotFound($"App {appId} not found");
        return AppResponse.From(rotated.App, rotated.AppSecret);
    }

    /// <summary>
    /// One-step rotation (create + promote): a new key signs from the next response on; earlier public keys
    /// stay listed as previous. Clients that trust only the old key fail from then on (auth-protocol.md §4.6);
    /// the staged routes of <see cref="SigningKeysController"/> avoid that. While a next key is pending: 409.
    /// </summary>
    [HttpPost("{appId}/rotate-signing-key"), RequireScope(DeveloperScopes.AdminApps)]
    public async Task<AppResponse> RotateSigningKey(string appId)
    {
        var current = await grains.FindApp(Caller, appId);
        if (current.PublicKeys.Any(k => k.State == SigningKeyState.Next)) throw PendingNextKey();
        try
        {
            var app = await grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId)).RotateSigningKey()
                ?? throw ApiException.NotFound($"App {appId} not found");
            return AppResponse.From(app);
        }
        catch (InvalidOperationException)
        {
            // A next key created between the check above and the rotation.
            throw PendingNextKey();
        }
    }

    private static ApiException PendingNextKey() =>
        new(ApiErrors.Conflict, "The app has a pending next signing key: promote or remove it (/v1/apps/{appId}/signing-keys) instead of rotating in one step");

    private static string? ValidName(string? value, List<string> details, string missing)
    {
        var name = value?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            details.Add($"name: {missing}");
            return null;
        }
        if (name.Length > MaxNameLength)
        {
            details.Add($"name: at most {MaxNameLength} characters");
            return null;
        }
        return name;
    }
}
