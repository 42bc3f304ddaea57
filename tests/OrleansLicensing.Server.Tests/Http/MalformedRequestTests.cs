using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansLicensing.Server.Http.given;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Http;

/// <summary>
/// Malformed requests over every /v1 and /admin/v1 route (listed from the running app, so new routes
/// are covered without touching this file): never a 5xx, a 4xx always has the documented JSON error
/// shape, and nothing the account can see has changed afterwards.
/// </summary>
public sealed class MalformedRequestTests(MalformedRequestWorld world) : IClassFixture<MalformedRequestWorld>
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    private sealed record Case(string Name, Func<HttpContent?> Body, Action<HttpRequestHeaders>? Headers = null, bool KeepAuthorization = true);

    private static HttpContent Bytes(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private static HttpContent Json(string text) => Bytes(Encoding.UTF8.GetBytes(text), "application/json");

    private static readonly Case[] Charsets =
    [
        new("utf-16 body declared utf-16", () => Bytes(Encoding.Unicode.GetBytes("""{"name":"x","reason":"x"}"""), "application/json; charset=utf-16")),
        new("odd byte count declared utf-16", () => Bytes(Encoding.UTF8.GetBytes("""{"reason":"xy"}"""), "application/json; charset=utf-16")),
        new("utf-8 body declared utf-16", () => Bytes(Encoding.UTF8.GetBytes("""{"name":"x"}"""), "application/json; charset=UTF-16")),
        new("utf-32 body declared utf-32", () => Bytes(new UTF32Encoding(false, false).GetBytes("""{"name":"x"}"""), "application/json; charset=utf-32")),
        new("latin-1", () => Bytes(Encoding.Latin1.GetBytes("""{"name":"é"}"""), "application/json; charset=iso-8859-1")),
        new("unknown charset", () => Bytes(Encoding.UTF8.GetBytes("""{"name":"x"}"""), "application/json; charset=klingon-7")),
        new("quoted utf-16", () => Bytes(Encoding.Unicode.GetBytes("{}"), "application/json; charset=\"utf-16\"")),
        new("charset on an empty body", () => Bytes([], "application/json; charset=utf-16")),
    ];

    private static readonly Case[] MalformedBodies =
    [
        new("invalid utf-8", () => Bytes([.. "{\"name\":\""u8, 0xFF, 0xFE, 0xC0, 0x80, .. "\"}"u8], "application/json")),
        new("invalid utf-8 declared utf-8", () => Bytes([.. "{\"reason\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8], "application/json; charset=utf-8")),
        new("nul bytes", () => Json("{\"name\":\"a\u0000b\"}\u0000")),
        new("deeply nested arrays", () => Json(new string('[', 10_000) + new string(']', 10_000))),
        new("deeply nested objects", () => Json(string.Concat(Enumerable.Repeat("{\"a\":", 2_000)) + "1" + new string('}', 2_000))),
        new("duplicate name", () => Json("""{"name":"first","name":"second"}""")),
        new("duplicate reason", () => Json("""{"reason":"first","reason":"second"}""")),
        new("duplicate amount", () => Json("""{"amount":5,"amount":7,"reason":"dup"}""")),
        new("duplicate variable", () => Json("""{"variables":{"tier":"a","tier":"b"}}""")),
        new("body over 1 MiB", () => Json($"{{\"name\":\"{new string('x', 1_100_000)}\"}}")),
        new("huge string under 1 MiB", () => Json($"{{\"name\":\"{new string('x', 900_000)}\",\"reason\":\"{new string('y', 100_000)}\"}}")),
        new("huge number", () => Json("""{"amount":1e400,"credits":99999999999999999999999,"reason":"big"}""")),
        new("truncated json", () => Json("""{"name":"x","""))
        ,
        new("not an object", () => Json("\"just a string\"")),
        new("form body", () => Bytes("name=x"u8.ToArray(), "application/x-www-form-urlencoded")),
    ];

    private static readonly Case[] HeaderAbuse =
    [
        new("huge bearer token", () => null, h => h.TryAddWithoutValidation("Authorization", "Bearer " + new string('A', 12_000)), KeepAuthorization: false),
        new("basic auth", () => null, h => h.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNz"), KeepAuthorization: false),
        new("bearer without token", () => null, h => h.TryAddWithoutValidation("Authorization", "Bearer "), KeepAuthorization: false),
        new("no authorization", () => null, KeepAuthorization: false),
    ];

    private static readonly Case[] IdempotencyAbuse =
    [
        new("idempotency key too long", () => Json("{}"), h => h.TryAddWithoutValidation("Idempotency-Key", new string('k', 256))),
        new("empty idempotency key", () => Json("{}"), h => h.TryAddWithoutValidation("Idempotency-Key", "")),
    ];

    [Fact]
    public void The_routes_come_from_the_running_app()
    {
        var routes = world.Routes();

        Assert.True(routes.Count >= 40, $"only {routes.Count} routes found");
        Assert.Contains(routes, r => r is { Method: "POST", Template: "admin/v1/accounts/{accountId}/reactivate" });
        Assert.Contains(routes, r => r is { Method: "PUT", Template: "v1/licenses/{licenseKey}/variables", ReadsBody: true });
        Assert.Contains(routes, r => r is { Method: "POST", Template: "v1/apps/{appId}/rotate-secret", ReadsBody: false });
    }

    [Fact]
    public async Task A_body_in_any_charset_but_utf8_is_a_400_on_every_route_and_changes_nothing()
    {
        var before = await world.SnapshotAsync();
        var failures = new List<string>();

        foreach (var route in world.Routes())
        {
            foreach (var @case in Charsets)
            {
                await SendAsync(route.Method, route, @case, failures, expectedStatus: 400);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(before, await world.SnapshotAsync());
    }

    [Fact]
    public async Task A_malformed_json_body_is_a_4xx_on_every_route_that_reads_one_and_changes_nothing()
    {
        var before = await world.SnapshotAsync();
        var failures = new List<string>();

        foreach (var route in world.Routes().Where(r => r.ReadsBody))
        {
            foreach (var @case in MalformedBodies)
            {
                await SendAsync(route.Method, route, @case, failures, expectedStatus: 400);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(before, await world.SnapshotAsync());
    }

    [Fact]
    public async Task A_method_a_route_does_not_serve_is_a_json_404_and_changes_nothing()
    {
        var before = await world.SnapshotAsync();
        var failures = new List<string>();

        foreach (var template in world.Routes().GroupBy(r => r.Template))
        {
            var route = template.First();
            foreach (var method in Methods.Except(template.Select(r => r.Method)))
            {
                await SendAsync(method, route, new Case("wrong method", () => Json("""{"name":"x","reason":"x","amount":1}""")), failures, expectedStatus: 404);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(before, await world.SnapshotAsync());
    }

    [Fact]
    public async Task Abused_authorization_and_idempotency_headers_are_refused_with_a_json_4xx_and_change_nothing()
    {
        var before = await world.SnapshotAsync();
        var failures = new List<string>();

        foreach (var route in world.Routes())
        {
            foreach (var @case in HeaderAbuse)
            {
                await SendAsync(route.Method, route, @case, failures, expectedStatus: 401);
            }
            if (route.Method is not "GET")
            {
                foreach (var @case in IdempotencyAbuse)
                {
                    await SendAsync(route.Method, route, @case, failures, expectedStatus: 400);
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(before, await world.SnapshotAsync());
    }

    [Fact]
    public async Task A_non_ascii_header_is_refused_by_the_server_before_any_route_runs()
    {
        // Kestrel rejects header bytes outside ASCII at the protocol level (400, no body): the
        // request never reaches authorization, so nothing can change.
        var before = await world.SnapshotAsync();
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 };
        using var client = new HttpClient(handler) { BaseAddress = world.Host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/v1/apps/{world.AppId}");
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {world.Account.ApiKey}\u00ff\u00e9");

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(before, await world.SnapshotAsync());
    }

    [Fact]
    public async Task A_garbage_request_id_is_replaced_and_never_echoed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/account");
        request.Headers.TryAddWithoutValidation("X-Request-Id", "<script>" + new string('r', 500));

        using var response = await world.Account.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Matches("^req_[0-9a-z]+$", response.Headers.GetValues("X-Request-Id").Single());
    }

    /// <summary>Sends one case; records a failure instead of throwing, so one run reports every broken route.</summary>
    private async Task SendAsync(string method, ManagementRoute route, Case @case, List<string> failures, int expectedStatus)
    {
        var path = world.PathOf(route);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = @case.Body() };
        if (@case.KeepAuthorization)
        {
            var token = route.IsOperator ? LicensingTestHost.OperatorToken : world.Account.ApiKey;
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        @case.Headers?.Invoke(request.Headers);

        // Latin-1 header bytes: the client would refuse to send a non-ASCII header otherwise.
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 };
        using var client = new HttpClient(handler) { BaseAddress = world.Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var where = $"{method} {path} [{@case.Name}] -> {status}";

        if (status != expectedStatus)
        {
            failures.Add($"{where}, expected {expectedStatus}: {Shorten(text)}");
            return;
        }
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            failures.Add($"{where}: Content-Type {response.Content.Headers.ContentType}");
            return;
        }
        try
        {
            var body = JsonDocument.Parse(text).RootElement;
            var error = body.GetProperty("error").GetString();
            if (error is null || !ApiErrors.All.Any(e => e.Code == error && e.Status == status)) failures.Add($"{where}: error code {error} does not match the status");
            if (string.IsNullOrWhiteSpace(body.GetProperty("message").GetString())) failures.Add($"{where}: no message");
            if (body.TryGetProperty("details", out var details) && details.ValueKind != JsonValueKind.Array) failures.Add($"{where}: details is not an array");
            if (text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Exception", StringComparison.Ordinal)) failures.Add($"{where}: leaks internals: {Shorten(text)}");
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            failures.Add($"{where}: not the error shape: {Shorten(text)}");
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
