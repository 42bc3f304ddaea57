namespace OrleansLicensing.Server.Http;

/// <summary>Which request paths belong to the JSON management APIs (as opposed to <c>/auth</c>, the console, health).</summary>
public static class ManagementPaths
{
    /// <summary>Whether a path belongs to the JSON management APIs.</summary>
    public static bool Contains(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments("/admin");
}
