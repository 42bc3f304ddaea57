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
                await WriteTooLargeAsync(context);
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxBytes;
            }
        }
        await next(context);
    });

    /// <summary>
    /// The 400 of a body over the limit: by its Content-Length here, or when the server's body-size limit
    /// stopped the read (Kestrel's own limit outside the management APIs, which the message then names).
    /// </summary>
    public static Task WriteTooLargeAsync(HttpContext context)
    {
        var limit = ManagementPaths.Contains(context.Request.Path)
            ? MaxBytes
            : context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? MaxBytes;
        var message = limit == MaxBytes ? "Request body exceeds 1 MiB" : $"Request body exceeds {limit} bytes";
        return ErrorResponses.WriteAsync(context, ApiErrors.BadRequest, message, [$"body: larger than {limit} bytes"]);
    }
}
