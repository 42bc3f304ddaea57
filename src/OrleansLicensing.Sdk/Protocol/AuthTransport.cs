using System.Net.Http.Headers;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>
/// One POST to <c>/auth/*</c> and steps R1–R3 of §17.4: the request completed, the body is a JSON
/// object, and <c>status</c> is a success value. Everything else becomes a <see cref="LicensingException"/>.
/// </summary>
internal sealed class AuthTransport(HttpClient http, ClientSettings settings)
{
    private static readonly string UserAgent = "OrleansLicensing.Sdk/" + (typeof(AuthTransport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0");

    private static readonly string[] SuccessValues = ["success", "ok", "valid", "true", "1"];

    /// <summary>A fresh nonce: 16 CSPRNG bytes as 32 lowercase hex characters (§17.3).</summary>
    public static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>Sends <paramref name="body"/> to <paramref name="path"/> and returns the success envelope.</summary>
    public async Task<(JsonElement Envelope, ResponseMeta Meta)> PostAsync(string path, byte[] body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.RequestTimeout);

        int status;
        string? requestId;
        TimeSpan? retryAfter;
        byte[]? bytes;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.BaseUrl + path));
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.UserAgent.ParseAdd(UserAgent);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
            retryAfter = ReadRetryAfter(response.Headers.RetryAfter);
            bytes = await ResponseBody.ReadAsync(response.Content, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or System.Net.Sockets.SocketException)
        {
            // R1: DNS, connect, TLS, reset, or the per-attempt timeout. A peer that closes the socket
            // while the connection is being set up can surface as a bare SocketException from
            // HttpClient (seen in the suite: "Transport endpoint is not connected"), not wrapped.
            throw new LicensingException(LicensingErrorCodes.NetworkError, innerException: e);
        }

        var meta = new ResponseMeta(status, requestId, retryAfter);

        // R2: a body beyond the size bound cannot be the JSON object of an answer, whatever it holds.
        if (bytes is null)
        {
            throw new LicensingException(status >= 400 ? LicensingErrorCodes.HttpError(status) : LicensingErrorCodes.InvalidJsonResponse, status, retryAfter, requestId,
                innerException: new InvalidDataException($"The response body is larger than {ResponseBody.MaxBytes} bytes; the rest was not read."));
        }

        // R2
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new LicensingException(status >= 400 ? LicensingErrorCodes.HttpError(status) : LicensingErrorCodes.InvalidJsonResponse, status, retryAfter, requestId);
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new LicensingException(status >= 400 ? LicensingErrorCodes.HttpError(status) : LicensingErrorCodes.ResponseNotJsonObject, status, retryAfter, requestId);
        }

        // R3
        if (!IsSuccess(root))
        {
            throw new LicensingException(FailureCode(root), status, retryAfter, requestId, Details(root));
        }
        return (root, meta);
    }

    private static bool IsSuccess(JsonElement root)
    {
        if (!root.TryGetProperty("status", out var status)) return false;
        if (status.ValueKind == JsonValueKind.True) return true;
        return status.TryGetText(out var text) && SuccessValues.Contains(text.Trim(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>R3: <c>error</c> if it is a known code, else <c>status</c> if it is one, else <c>unknown_error</c>.</summary>
    private static string FailureCode(JsonElement root)
    {
        foreach (var name in new[] { "error", "status" })
        {
            if (root.Text(name) is { } text)
            {
                var code = text.Trim().ToLowerInvariant();
                if (LicensingErrorCodes.IsServerCode(code)) return code;
            }
        }
        return LicensingErrorCodes.UnknownError;
    }

    private static string[]? Details(JsonElement root) =>
        root.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array
            ? details.EnumerateArray().Select(d => d.TryGetText(out var text) ? text : null).OfType<string>().ToArray()
            : null;

    private TimeSpan? ReadRetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - settings.Time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
