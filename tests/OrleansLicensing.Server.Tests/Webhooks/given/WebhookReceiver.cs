using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OrleansLicensing.Server.Webhooks.given;

/// <summary>One request a <see cref="WebhookReceiver"/> got, and the status it answered with.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int AnsweredWith)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string Id => Json.GetProperty("id").GetString()!;
    public string Event => Json.GetProperty("event").GetString()!;
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>Whether X-AuthForge-Signature is the lowercase hex HMAC-SHA256 of the raw body under <paramref name="secret"/>.</summary>
    public bool SignedWith(string secret) =>
        Header("X-AuthForge-Signature") == Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Body));
}

/// <summary>
/// A real HTTP receiver (Kestrel on 127.0.0.1) that records every request and answers with scripted
/// statuses (then <see cref="DefaultStatus"/>).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentQueue<int> _script = new();

    private WebhookReceiver(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The status answered once the script is used up.</summary>
    public int DefaultStatus { get; set; } = 200;

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public string Url(string path = "/hook") => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Answers the next requests with these statuses, in order.</summary>
    public void Answer(params int[] statuses)
    {
        foreach (var status in statuses) _script.Enqueue(status);
    }

    /// <summary>Starts a receiver on <paramref name="port"/> (or a free one).</summary>
    public static async Task<WebhookReceiver> StartAsync(int? port = null)
    {
        var chosen = port ?? Testing.FreePorts.Next();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls($"http://127.0.0.1:{chosen}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, chosen);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var status = _script.TryDequeue(out var scripted) ? scripted : DefaultStatus;
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        headers["Method"] = context.Request.Method;
        _received.Enqueue(new ReceivedWebhook(context.Request.Path.Value ?? "", headers, buffer.ToArray(), status));
        context.Response.StatusCode = status;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
