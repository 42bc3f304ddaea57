using OrleansLicensing.Apps;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer.Apps;

/// <summary>
/// The app rules of docs/developer-api.md §4.2 for one caller (validation, ownership, the app index).
/// <c>/v1/apps</c> and the web console both call it; failures are <see cref="ApiException"/>s.
/// </summary>
public sealed class AppService(IGrainFactory grains)
{
    /// <summary>Longest app name.</summary>
    public const int MaxNameLength = 200;
    private const string AppCursorKind = "app";

    /// <summary>Creates an app with a generated secret (returned only here and by rotate-secret) and signing key.</summary>
    public async Task<AppResponse> CreateAsync(ApiCaller caller, CreateAppRequest? body)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        var name = ValidName(body.Name, details, missing: "required");
        if (body.DailyCreditCap is < 1) details.Add("dailyCreditCap: must be an integer >= 1 or null");
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        var appId = Guid.NewGuid().ToString();
        // Listed first: a crash before the app exists leaves an id the list skips, never an unlisted app.
        await grains.GetGrain<OrleansLicensing.Accounts.IAccountAppsGrain>(caller.AccountId).Register(appId);
        var created = await grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId)).Create(new CreateApp(
            caller.AccountId,
            name!,
            body.SigningScheme ?? SigningScheme.Ed25519,
            body.FailureHttpStatus ?? FailureMode.Always200,
            body.DailyCreditCap))
            ?? throw new InvalidOperationException($"A new random app id {appId} was taken");
        return AppResponse.From(created.App, created.AppSecret);
    }

    /// <summary>The caller's apps, without secrets, in app id order (a stable keyset order).</summary>
    public async Task<AppListResponse> ListAsync(ApiCaller caller, string? limit, string? cursor)
    {
        var pageSize = Pagination.Limit(limit);
        var after = Pagination.Decode(AppCursorKind, cursor, OwnedResources.IsAppId);
        var index = grains.GetGrain<OrleansLicensing.Accounts.IAccountAppsGrain>(caller.AccountId);

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
            apps.AddRange(snapshots.Where(a => a is not null && a.AccountId == caller.AccountId).Select(a => AppResponse.From(a!)));
            if (ids.Count > 0) last = ids[^1];
        }
        return new AppListResponse(apps, !exhausted && last is not null ? Pagination.Encode(AppCursorKind, last) : null);
    }

    /// <summary>The caller's app, without its secret.</summary>
    public async Task<AppResponse> GetAsync(ApiCaller caller, string appId) => AppResponse.From(await grains.FindApp(caller, appId));

    /// <summary>Partial update of name, status, failure mode, daily cap and signing scheme.</summary>
    public async Task<AppResponse> UpdateAsync(ApiCaller caller, string appId, UpdateAppRequest? body)
    {
        if (body is null) throw ApiException.BadRequest("body: a JSON body is required");
        var details = new List<string>();
        var name = body.Name is null ? null : ValidName(body.Name, details, missing: "must not be empty");
        if (body.DailyCreditCap is { IsSet: true, Value: < 1 }) details.Add("dailyCreditCap: must be an integer >= 1 or null");
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);

        await grains.FindApp(caller, appId);
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
        if (TextRules.HasControlCharacters(name))
        {
            details.Add($"name: {TextRules.ControlCharacters}");
            return null;
        }
        return name;
    }
}
