using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansLicensing.Diagnostics;
using OrleansLicensing.Webhooks;

namespace OrleansLicensing.Server.Webhooks;

/// <summary>
/// The wire form of a webhook request (docs/developer-api.md §4.4): the body
/// <c>{"id","event","timestamp","data"}</c> and its signature.
/// </summary>
public static class WebhookPayload
{
    public const string EventHeader = "X-AuthForge-Event";
    public const string TimestampHeader = "X-AuthForge-Timestamp";
    public const string SignatureHeader = "X-AuthForge-Signature";

    /// <summary>The exact body bytes: compact UTF-8 JSON with <c>data</c> exactly as stored (it must be a JSON object).</summary>
    public static byte[] Body(WebhookMessage message)
    {
        using (var data = JsonDocument.Parse(message.DataJson))
        {
            if (data.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("The event data is not a JSON object.");
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("id", message.EventId);
            writer.WriteString("event", message.EventType);
            writer.WriteString("timestamp", Timestamp(message.OccurredAt));
            writer.WritePropertyName("data");
            writer.WriteRawValue(message.DataJson);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Lowercase hex HMAC-SHA256 of the raw body under the secret (its UTF-8 bytes, <c>whsec_</c> included).</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>ISO-8601 UTC to the second, as every time on the API.</summary>
    public static string Timestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// Sends webhook requests: POST, signed, 10 s timeout (configurable), no redirects, no proxy, every
/// connection through <see cref="WebhookTargetPolicy.ConnectAsync"/>. 2xx = delivered.
/// </summary>
public sealed partial class WebhookSender : IWebhookSender, IDisposable
{
    private readonly HttpClient _http;
    private readonly WebhookTargetPolicy _policy;
    private readonly WebhookDeliveryOptions _options;
    private readonly TimeProvider _time;
    private readonly OrleansLicensing.Diagnostics.LicensingMetrics _metrics;

    public WebhookSender(WebhookTargetPolicy policy, WebhookDeliveryOptions options, TimeProvider time, OrleansLicensing.Diagnostics.LicensingMetrics metrics)
    {
        _metrics = metrics;
        _policy = policy;
        _options = options;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a redirect is a non-2xx answer, never followed to another target
            UseProxy = false,          // a proxy would connect on our behalf, past the address check
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = options.Timeout,
            ConnectCallback = policy.ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("OrleansLicensing-Webhooks/1.0");
    }

    public async Task<WebhookAttemptResult> SendAsync(WebhookMessage message, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        var (result, outcome) = await AttemptAsync(message, cancellationToken);
        _metrics.WebhookAttempt(outcome, _time.GetElapsedTime(started));
        return result;
    }

    /// <summary>One attempt and its <see cref="WebhookOutcomes"/> value.</summary>
    private async Task<(WebhookAttemptResult Result, string Outcome)> AttemptAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        // Re-checked per attempt: the setting may have changed since the URL was registered.
        if (_policy.CheckShape(message.Url) is { } problem) return (new WebhookAttemptResult(false, null, $"url {problem}"), WebhookOutcomes.Refused);
        byte[] body;
        try
        {
            body = WebhookPayload.Body(message);
        }
        catch (JsonException)
        {
            return (new WebhookAttemptResult(false, null, "event data is not a JSON object"), WebhookOutcomes.Refused);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, message.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookPayload.EventHeader, message.EventType);
        request.Headers.TryAddWithoutValidation(WebhookPayload.TimestampHeader, _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookPayload.SignatureHeader, WebhookPayload.Sign(message.Secret, body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 300
                ? (new WebhookAttemptResult(true, status, null), WebhookOutcomes.Delivered)
                : (new WebhookAttemptResult(false, status, $"HTTP {status}"), WebhookOutcomes.HttpError);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (new WebhookAttemptResult(false, null, $"no answer within {_options.Timeout.TotalSeconds:0.###} s"), WebhookOutcomes.Timeout);
        }
        catch (HttpRequestException error)
        {
            var refused = FindRefusal(error);
            return refused is not null
                ? (new WebhookAttemptResult(false, null, refused.Message), WebhookOutcomes.Refused)
                : (new WebhookAttemptResult(false, null, $"request failed: {error.Message}"), WebhookOutcomes.NetworkError);
        }
    }

    private static WebhookTargetRefusedException? FindRefusal(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is WebhookTargetRefusedException refused) return refused;
        }
        return null;
    }

    public void Dispose() => _http.Dispose();
}
