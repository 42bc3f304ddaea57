using System.Buffers;
using System.Globalization;
using System.Text.Json;
using OrleansLicensing.Apps;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Writes every <c>/auth/*</c> response except signed successes, following docs/protocol.md §2.3:
/// one compact JSON object with <c>status</c> first, <c>Content-Type: application/json; charset=utf-8</c>,
/// <c>Cache-Control: no-store</c>, and <c>Retry-After</c> exactly on <c>rate_limited</c>.
/// (<c>X-Request-Id</c> is set by the request-id middleware.)
/// </summary>
public static class AuthResponses
{
    /// <summary>The <c>Content-Type</c> of every auth response.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>The <c>Cache-Control</c> of every auth response.</summary>
    public const string CacheControl = "no-store";

    /// <summary>
    /// Writes the failure envelope of §3.2: <c>{"status":"failed","error":"&lt;code&gt;"}</c>, or for
    /// <see cref="AuthError.BadRequest"/> with <c>"details"</c> as third key. HTTP status per §3.4.
    /// </summary>
    /// <param name="response">The response; nothing may have been written yet.</param>
    /// <param name="error">The failure.</param>
    /// <param name="mode">The failure mode in effect (the app's, or the deployment default).</param>
    /// <param name="details">Required, non-empty, for <see cref="AuthError.BadRequest"/>; not allowed otherwise.</param>
    /// <param name="retryAfterSeconds">
    /// Required for <see cref="AuthError.RateLimited"/> (whole seconds, raised to at least 1); not allowed otherwise.
    /// </param>
    /// <returns>The write.</returns>
    /// <exception cref="ArgumentException">Details or a retry delay missing where required, or given where not allowed.</exception>
    public static Task WriteFailureAsync(HttpResponse response, AuthError error, FailureMode mode, IReadOnlyList<string>? details = null, int? retryAfterSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        if ((error == AuthError.BadRequest) != (details is { Count: > 0 }))
        {
            throw new ArgumentException("details are required for bad_request and only for it.", nameof(details));
        }
        if ((error == AuthError.RateLimited) != retryAfterSeconds.HasValue)
        {
            throw new ArgumentException("A retry delay is required for rate_limited and only for it.", nameof(retryAfterSeconds));
        }

        var status = error.HttpStatus(mode);
        var body = FailureBody(error, details);
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = Math.Max(1, seconds).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            response.Headers.Remove("Retry-After");
        }
        return WriteJsonAsync(response, status, body);
    }

    /// <summary>Writes <c>bad_request</c> with its <c>details</c> (§3.3).</summary>
    /// <param name="response">The response.</param>
    /// <param name="details">The problems, e.g. <see cref="AuthRequestReadResult{TRequest}.Details"/>.</param>
    /// <param name="mode">The failure mode in effect.</param>
    /// <returns>The write.</returns>
    public static Task WriteBadRequestAsync(HttpResponse response, IReadOnlyList<string> details, FailureMode mode) =>
        WriteFailureAsync(response, AuthError.BadRequest, mode, details);

    /// <summary>Writes <c>rate_limited</c> with <c>Retry-After</c> (§14.3).</summary>
    /// <param name="response">The response.</param>
    /// <param name="retryAfterSeconds">Whole seconds until the refusing bucket holds a token; at least 1 is sent.</param>
    /// <param name="mode">The failure mode in effect.</param>
    /// <returns>The write.</returns>
    public static Task WriteRateLimitedAsync(HttpResponse response, int retryAfterSeconds, FailureMode mode) =>
        WriteFailureAsync(response, AuthError.RateLimited, mode, retryAfterSeconds: retryAfterSeconds);

    /// <summary>
    /// Writes the unsigned self-ban success of §10.3, always HTTP 200:
    /// <c>{"status":"success","revoked":b,"hwidBlacklisted":b,"ipBlacklisted":b}</c>.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <param name="revoked">The license is revoked after the call and revocation was requested.</param>
    /// <param name="hwidBlacklisted">The HWID is on the block list after the call and that was requested.</param>
    /// <param name="ipBlacklisted">The caller IP is covered by the block list after the call and that was requested.</param>
    /// <returns>The write.</returns>
    public static Task WriteSelfBanSuccessAsync(HttpResponse response, bool revoked, bool hwidBlacklisted, bool ipBlacklisted)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = Json(writer =>
        {
            writer.WriteString("status", "success");
            writer.WriteBoolean("revoked", revoked);
            writer.WriteBoolean("hwidBlacklisted", hwidBlacklisted);
            writer.WriteBoolean("ipBlacklisted", ipBlacklisted);
        });
        response.Headers.Remove("Retry-After");
        return WriteJsonAsync(response, StatusCodes.Status200OK, body);
    }

    /// <summary>
    /// Writes the 405 of §2.1 for a method other than POST on an auth endpoint, with <c>Allow: POST</c>
    /// and <c>{"status":"failed","error":"method_not_allowed"}</c>; not affected by the failure mode.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <returns>The write.</returns>
    public static Task WriteMethodNotAllowedAsync(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.Allow = "POST";
        response.Headers.Remove("Retry-After");
        return WriteJsonAsync(response, StatusCodes.Status405MethodNotAllowed, CodeBody(AuthErrors.MethodNotAllowedCode, null));
    }

    /// <summary>
    /// Writes the 404 of §2.1 for any other path under <c>{PathPrefix}/auth/</c>:
    /// <c>{"status":"failed","error":"not_found"}</c>; not affected by the failure mode.
    /// </summary>
    /// <param name="response">The response.</param>
    /// <returns>The write.</returns>
    public static Task WriteNotFoundAsync(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.Remove("Retry-After");
        return WriteJsonAsync(response, StatusCodes.Status404NotFound, CodeBody(AuthErrors.NotFoundCode, null));
    }

    /// <summary>
    /// Writes a ready JSON body with the headers every auth response carries (§2.3). The signed
    /// success writer uses this too, so the header rules live in one place.
    /// </summary>
    /// <param name="response">The response; nothing may have been written yet.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="body">A compact UTF-8 JSON object whose first key is <c>status</c>.</param>
    /// <returns>The write.</returns>
    public static async Task WriteJsonAsync(HttpResponse response, int statusCode, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = statusCode;
        response.ContentType = ContentType;
        response.Headers.CacheControl = CacheControl;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, response.HttpContext.RequestAborted);
    }

    /// <summary>The exact failure body of an error (§3.2), as written by <see cref="WriteFailureAsync"/>.</summary>
    /// <param name="error">The failure.</param>
    /// <param name="details">The <c>details</c> of a <c>bad_request</c>; ignored for other errors.</param>
    /// <returns>The UTF-8 JSON bytes.</returns>
    public static byte[] FailureBody(AuthError error, IReadOnlyList<string>? details = null) =>
        CodeBody(error.Code(), error == AuthError.BadRequest ? details : null);

    private static byte[] CodeBody(string code, IReadOnlyList<string>? details) => Json(writer =>
    {
        writer.WriteString("status", "failed");
        writer.WriteString("error", code);
        if (details is not null)
        {
            writer.WriteStartArray("details");
            foreach (var detail in details) writer.WriteStringValue(detail);
            writer.WriteEndArray();
        }
    });

    private static byte[] Json(Action<Utf8JsonWriter> writeProperties)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
