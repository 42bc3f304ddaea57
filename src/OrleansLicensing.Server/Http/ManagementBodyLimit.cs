using Microsoft.AspNetCore.Http.Features;

namespace OrleansLicensing.Server.Http;

/// <summary>The 1 MiB limit on request bodies of the management APIs (<c>/v1</c>, <c>/admin</c>).</summary>
public static class ManagementBodyLimit
{
    /// <summary>Largest accepted body on the management APIs.</summary>
    public const long MaxBytes = 1024 * 1024;

    /// <summary>
    /// Management bodies over 1 MiB are a 400 before anything parses them: by Content-Length up
    /// front, and for chunked bodies through the server's body-size limit (mapped in the handler).
    /// </summary>
    public static IApplicationBuilder UseManagementBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (ManagementPaths.Contains(context.Request.Path))
        {
            if (context.Request.ContentLength > MaxBytes)
            {
                await ErrorResponses.WriteAsync(context, ApiErrors.BadRequest, "Request body exceeds 1 MiB", ["body: larger than 1048576 bytes"]);
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxBytes;
            }
        }
        await next(context);
    });
}
