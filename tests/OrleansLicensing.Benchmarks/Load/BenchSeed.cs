using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansLicensing.Benchmarks.Load;

/// <summary>One license as the load generator uses it: a line of the wrk data file.</summary>
public sealed record SeededLicense(string AppId, string AppSecret, string LicenseKey, string Hwid, string SessionToken)
{
    public string ToLine() => $"{AppId}\t{AppSecret}\t{LicenseKey}\t{Hwid}\t{SessionToken}";
}

/// <summary>A developer account the benchmark made, with its first API key.</summary>
public sealed record SeededAccount(string AccountId, string ApiKey);

/// <summary>
/// Seeds through the public API only: operator API for accounts and credits, developer API for
/// apps and licenses, and one real <c>/auth/validate</c> per license that should start bound (which
/// also yields the session token the heartbeat scenarios use).
/// </summary>
public sealed class BenchSeed(string url, string operatorToken)
{
    public const long InitialCredits = 1_000_000_000;

    private readonly HttpClient _operator = Client(url, operatorToken);

    public async Task<SeededAccount> CreateAccountAsync(string name)
    {
        var body = await SendAsync(_operator, HttpMethod.Post, "/admin/v1/accounts", new { name, credits = InitialCredits });
        return new SeededAccount(body.GetProperty("accountId").GetString()!, body.GetProperty("apiKey").GetString()!);
    }

    public async Task<(string AppId, string Secret)> CreateAppAsync(SeededAccount account, string name, string scheme)
    {
        using var api = Client(url, account.ApiKey);
        var body = await SendAsync(api, HttpMethod.Post, "/v1/apps", new { name, signingScheme = scheme });
        return (body.GetProperty("appId").GetString()!, body.GetProperty("appSecret").GetString()!);
    }

    /// <summary>Creates <paramref name="count"/> licenses in POSTs of 100, eight at a time.</summary>
    public async Task<IReadOnlyList<string>> CreateLicensesAsync(SeededAccount account, string appId, int count)
    {
        using var api = Client(url, account.ApiKey);
        var keys = new List<string>(count);
        var batches = (count + 99) / 100;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int batch;
            while ((batch = Interlocked.Increment(ref next)) < batches)
            {
                var quantity = Math.Min(100, count - batch * 100);
                var body = await SendAsync(api, HttpMethod.Post, "/v1/licenses", new { appId, quantity, label = "bench" });
                var made = body.GetProperty("licenses").EnumerateArray().Select(l => l.GetProperty("licenseKey").GetString()!).ToList();
                lock (keys) keys.AddRange(made);
            }
        }));
        return keys;
    }

    /// <summary>Validates each license once with its own HWID, binding it and opening a session.</summary>
    public async Task<IReadOnlyList<SeededLicense>> BindAsync(string appId, string secret, IReadOnlyList<string> keys, string hwidPrefix)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var bound = new SeededLicense[keys.Count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < keys.Count)
            {
                var hwid = $"{hwidPrefix}-{i:D6}";
                var body = await SendAsync(http, HttpMethod.Post, "/auth/validate", new
                {
                    appId, appSecret = secret, licenseKey = keys[i], hwid, nonce = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
                });
                if (body.GetProperty("status").GetString() != "success") throw new InvalidOperationException($"seed validate failed: {body}");
                var payload = JsonDocument.Parse(Convert.FromBase64String(body.GetProperty("payload").GetString()!)).RootElement;
                bound[i] = new SeededLicense(appId, secret, keys[i], hwid, payload.GetProperty("sessionToken").GetString()!);
            }
        }));
        return bound;
    }

    /// <summary>Licenses that are not bound yet: the line has no session token.</summary>
    public static IReadOnlyList<SeededLicense> Unbound(string appId, string secret, IReadOnlyList<string> keys, string hwidPrefix) =>
        [.. keys.Select((key, i) => new SeededLicense(appId, secret, key, $"{hwidPrefix}-{i:D6}", ""))];

    /// <summary>The summed balance of the given accounts (<c>GET /v1/account</c>).</summary>
    public async Task<long> CreditsAsync(IEnumerable<SeededAccount> accounts)
    {
        long total = 0;
        foreach (var account in accounts)
        {
            using var api = Client(url, account.ApiKey);
            total += (await SendAsync(api, HttpMethod.Get, "/v1/account", null)).GetProperty("credits").GetInt64();
        }
        return total;
    }

    /// <summary>
    /// The sum of every sample of one Prometheus series at <c>/metrics</c> (0 if the series has none
    /// yet), or <c>null</c> when the server does not serve <c>/metrics</c> (<c>Licensing:Metrics:Prometheus</c> off).
    /// </summary>
    public async Task<double?> MetricAsync(string name)
    {
        using var response = await _operator.GetAsync("/metrics");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return new Server.Observability.given.PrometheusText(await response.Content.ReadAsStringAsync()).Sum(name);
    }

    /// <summary>The server's managed allocations since start (the .NET runtime's <c>dotnet.gc.heap.total_allocated</c>), or <c>null</c> without <c>/metrics</c>.</summary>
    public Task<double?> AllocatedBytesAsync() => MetricAsync("dotnet_gc_heap_total_allocated_bytes_total");

    /// <summary>The server's JIT compilation time since start in seconds (<c>dotnet.jit.compilation.time</c>), or <c>null</c> without <c>/metrics</c>.</summary>
    public Task<double?> JitSecondsAsync() => MetricAsync("dotnet_jit_compilation_time_seconds_total");

    public static void WriteDataFile(string path, IEnumerable<SeededLicense> licenses) =>
        File.WriteAllLines(path, licenses.Select(l => l.ToLine()), new UTF8Encoding(false));

    /// <summary>A client of the server that sends <paramref name="bearer"/> on every request.</summary>
    public static HttpClient Client(string url, string bearer)
    {
        var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http;
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
