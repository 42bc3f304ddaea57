using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansLicensing.Sdk.given;

/// <summary>One request the SDK sent, as the proxy saw it.</summary>
public sealed record Attempt(string Path, int Number, JsonElement Body, CancellationToken RequestAborted)
{
    public string UserAgent { get; init; } = "";

    public string ContentType { get; init; } = "";

    public string RawBody { get; init; } = "";

    public string? Nonce => Body.TryGetProperty("nonce", out var n) ? n.GetString() : null;
}

/// <summary>Decides the answer to one attempt; <c>forward</c> sends it to the real server.</summary>
public delegate Task<HttpResponseMessage> Tamper(Attempt attempt, Func<Task<HttpResponseMessage>> forward);

/// <summary>
/// An HTTP handler between the SDK and the real server. It counts and records every attempt per path,
/// tags requests with the test's own client address (<c>X-Forwarded-For</c>), and can rewrite or replace
/// answers the way a hostile or broken network would.
/// </summary>
public sealed class TamperingProxy : DelegatingHandler
{
    private readonly ConcurrentDictionary<string, Tamper> _tampers = new();
    private readonly ConcurrentDictionary<string, Func<Attempt, JsonObject, bool>> _rewrites = new();
    private readonly ConcurrentQueue<Attempt> _attempts = new();
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public TamperingProxy()
        : base(new SocketsHttpHandler())
    {
    }

    /// <summary>This client's address as the server sees it.</summary>
    public string Ip { get; } = $"203.0.{Random.Shared.Next(0, 255)}.{Random.Shared.Next(1, 255)}";

    public IReadOnlyList<Attempt> Attempts => [.. _attempts];

    public int Count(string path) => _counts.TryGetValue(path, out var n) ? n : 0;

    /// <summary>Answers every later attempt on <paramref name="path"/> with <paramref name="tamper"/>.</summary>
    public void On(string path, Tamper tamper) => _tampers[path] = tamper;

    /// <summary>Lets <paramref name="rewrite"/> change the request body of later attempts on <paramref name="path"/> (return true when changed).</summary>
    public void RewriteRequests(string path, Func<Attempt, JsonObject, bool> rewrite) => _rewrites[path] = rewrite;

    /// <summary>Forwards <paramref name="path"/> untouched again.</summary>
    public void Clear(string path) => _tampers.TryRemove(path, out _);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var bytes = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        var number = _counts.AddOrUpdate(path, 1, (_, n) => n + 1);
        var attempt = new Attempt(path, number, JsonDocument.Parse(bytes).RootElement.Clone(), cancellationToken)
        {
            UserAgent = request.Headers.UserAgent.ToString(),
            ContentType = request.Content.Headers.ContentType?.ToString() ?? "",
            RawBody = Encoding.UTF8.GetString(bytes),
        };
        _attempts.Enqueue(attempt);
        request.Headers.Add("X-Forwarded-For", Ip);
        if (_rewrites.TryGetValue(path, out var rewrite))
        {
            var body = JsonNode.Parse(bytes)!.AsObject();
            if (rewrite(attempt, body)) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        Task<HttpResponseMessage> Forward() => base.SendAsync(request, cancellationToken);
        return _tampers.TryGetValue(path, out var tamper) ? await tamper(attempt, Forward) : await Forward();
    }

    // Building blocks for tampers.

    public static HttpResponseMessage Respond(HttpStatusCode status, string body, string mediaType = "application/json", int? retryAfterSeconds = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        if (retryAfterSeconds is { } s) response.Headers.TryAddWithoutValidation("Retry-After", s.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return response;
    }

    /// <summary>Forwards, then lets <paramref name="edit"/> change the JSON envelope of the real answer.</summary>
    public static Tamper EditEnvelope(Action<JsonObject, Attempt> edit) => async (attempt, forward) =>
    {
        using var real = await forward();
        var envelope = JsonNode.Parse(await real.Content.ReadAsStringAsync())!.AsObject();
        edit(envelope, attempt);
        var response = Respond(real.StatusCode, envelope.ToJsonString());
        if (real.Headers.TryGetValues("X-Request-Id", out var ids)) response.Headers.TryAddWithoutValidation("X-Request-Id", ids);
        return response;
    };

    /// <summary>Decodes the payload string P of an envelope.</summary>
    public static JsonObject Payload(JsonObject envelope) =>
        JsonNode.Parse(Convert.FromBase64String((string)envelope["payload"]!))!.AsObject();

    /// <summary>Standard base64 of compact JSON: a new payload string P.</summary>
    public static string Encode(JsonNode payload) => Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.ToJsonString()));
}
