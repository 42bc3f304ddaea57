using Microsoft.AspNetCore.Http.Features;

namespace OrleansLicensing.Server.Http;

/// <summary>
/// Requests whose path, as sent, holds a <c>.</c> or <c>..</c> segment (also percent-encoded, <c>%2e%2e</c>)
/// are a 400 before routing. Kestrel decodes and removes such segments before the app sees the path, so
/// <c>DELETE /v1/apps/{appId}/webhooks/%2e%2e</c> would otherwise reach <c>DELETE /v1/apps/{appId}</c>
/// and delete the app: an id is never <c>.</c> or <c>..</c>, and browsers and HTTP clients remove
/// literal dot segments themselves, so no legitimate request is refused.
/// </summary>
public static class DotSegments
{
    /// <summary>Refuses dot segments in the request target as sent (docs/design.md, "Request paths").</summary>
    public static IApplicationBuilder UseNoDotSegments(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target is not null && HasDotSegment(target))
        {
            await ErrorResponses.WriteAsync(context, ApiErrors.BadRequest, "The request path holds a '.' or '..' segment",
                ["path: '.' and '..' (also as %2e) are not valid path segments"]);
            return;
        }
        await next(context);
    });

    /// <summary>Whether the path part of a request target (before <c>?</c>) has a segment that decodes to <c>.</c> or <c>..</c>.</summary>
    public static bool HasDotSegment(string target)
    {
        var end = target.IndexOf('?');
        var path = (end < 0 ? target.AsSpan() : target.AsSpan(0, end));
        if (path.IndexOfAny('.', '%') < 0) return false; // the common case (every /auth request): nothing to look at
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            var dots = 0;
            var i = 0;
            while (i < segment.Length && dots <= 2)
            {
                if (segment[i] == '.') i++;
                else if (i + 2 < segment.Length && segment[i] == '%' && segment[i + 1] == '2' && (segment[i + 2] is 'e' or 'E')) i += 3;
                else break;
                dots++;
            }
            if (i == segment.Length && dots is 1 or 2) return true;
        }
        return false;
    }
}
