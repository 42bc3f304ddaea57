using Microsoft.Net.Http.Headers;

namespace OrleansLicensing.Server.Http;

/// <summary>
/// The management APIs read UTF-8 JSON only (RFC 8259 §8.1). A body declared in another charset is a
/// 400 before anything reads it: MVC would transcode UTF-16 or UTF-32 and fail on bytes that are not
/// valid in the declared charset, deep inside model binding.
/// </summary>
public static class JsonBodyCharset
{
    public static IApplicationBuilder UseUtf8JsonBodies(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (ManagementPaths.Contains(context.Request.Path)
            && MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
            && type.Charset.HasValue
            && !IsUtf8(type.Charset.Value!.Trim('"')))
        {
            await ErrorResponses.WriteAsync(context, ApiErrors.BadRequest, "Request body must be UTF-8 JSON",
                ["Content-Type: charset must be utf-8 (or left out)"]);
            return;
        }
        await next(context);
    });

    private static bool IsUtf8(string charset) =>
        charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
}
