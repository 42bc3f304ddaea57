namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Path rules of docs/protocol.md §2.1: the three endpoints match exactly (case-sensitive, no
/// trailing slash) under the configured prefix; another method there is a 405 with
/// <c>Allow: POST</c>, any other path under <c>{prefix}/auth/</c>, and <c>{prefix}/auth</c> itself, a 404, both as JSON.
/// </summary>
public static class AuthPaths
{
    private static readonly string[] Endpoints = ["validate", "heartbeat", "selfban"];

    /// <summary>Answers 404/405 for the auth surface before routing (which is case-insensitive) sees it.</summary>
    public static IApplicationBuilder UseAuthPaths(this IApplicationBuilder app, string prefix)
    {
        var root = prefix + "/auth/";
        return app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            // {prefix}/auth itself belongs to the surface too: a JSON 404, never an empty body (§2.3).
            if (!path.StartsWith(root, StringComparison.OrdinalIgnoreCase) && !path.Equals(root[..^1], StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }
            var name = path.Length > root.Length ? path[root.Length..] : "";
            if (!path.StartsWith(root, StringComparison.Ordinal) || Array.IndexOf(Endpoints, name) < 0)
            {
                await AuthResponses.WriteNotFoundAsync(context.Response);
                return;
            }
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                await AuthResponses.WriteMethodNotAllowedAsync(context.Response);
                return;
            }
            await next(context);
        });
    }
}
