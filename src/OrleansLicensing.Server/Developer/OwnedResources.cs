using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.Developer;

/// <summary>
/// Tenant isolation in one place: a resource that does not exist is a 404, one of another account
/// a 403 (docs/developer-api.md §2). Ids that cannot exist are 404 without activating a grain.
/// </summary>
public static class OwnedResources
{
    /// <summary>Whether <paramref name="appId"/> has the shape of an app id (lowercase UUID).</summary>
    public static bool IsAppId(string? appId) =>
        appId is { Length: 36 } && Guid.TryParseExact(appId, "D", out var parsed) && parsed.ToString() == appId;

    /// <summary>The caller's app, or a 404/403.</summary>
    public static async Task<AppSnapshot> FindApp(this IGrainFactory grains, ApiCaller caller, string? appId)
    {
        // An id that cannot be one is not echoed whole (it may be kilobytes long).
        if (!IsAppId(appId)) throw ApiException.NotFound(appId is { Length: > 64 } ? $"App {appId[..64]}… not found" : $"App {appId} not found");
        var app = await grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId!)).Get()
            ?? throw ApiException.NotFound($"App {appId} not found");
        return app.AccountId == caller.AccountId ? app : throw new ApiException(ApiErrors.Forbidden, $"App {appId} belongs to another account");
    }

    /// <summary>
    /// The caller's license by a key as submitted (canonicalized here), or a 404/403. A license of a
    /// deleted app is a 404, as its app is: it no longer validates (<c>invalid_app</c>) and is not listed,
    /// so it cannot be read or changed either.
    /// </summary>
    public static async Task<LicenseSnapshot> FindLicense(this IGrainFactory grains, ApiCaller caller, string licenseKey)
    {
        var key = LicenseKey.Canonicalize(licenseKey);
        if (!LicenseKey.IsWellFormed(key)) throw ApiException.NotFound("License not found");
        var license = await grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(key)).Get()
            ?? throw ApiException.NotFound($"License {key} not found");
        if (license.AccountId != caller.AccountId) throw new ApiException(ApiErrors.Forbidden, $"License {key} belongs to another account");
        return await grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(license.AppId)).Get() is not null
            ? license
            : throw ApiException.NotFound($"License {key} not found (its app was deleted)");
    }
}
