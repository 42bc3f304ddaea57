using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansLicensing.Testing;

namespace OrleansLicensing.Server.Observability.given;

/// <summary>
/// The real server executable in a process of its own, on a fresh SQLite data directory, with its
/// standard output and error kept line by line. Metrics are read from here rather than from an
/// in-process host: the test process runs many hosts, and meters of the same name from several
/// hosts are merged (and dropped when one host stops) by the exporter, as they never are in the
/// one-host-per-process product.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _data;
    private readonly List<string> _lines = [];

    private ServerProcess(Process process, TempDirectory data, int port)
    {
        _process = process;
        _data = data;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Operator = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Operator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LicensingTestHost.OperatorToken);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public HttpClient Operator { get; }

    /// <summary>What the process wrote so far (stdout and stderr, interleaved as received).</summary>
    public string[] Lines
    {
        get
        {
            lock (_lines) return [.. _lines];
        }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_lines) _lines.Add(line);
    }

    /// <summary>Starts the server with <paramref name="args"/> (<c>--Key=value</c>) and waits until it is ready.</summary>
    public static async Task<ServerProcess> StartAsync(params string[] args)
    {
        var data = new TempDirectory("process");
        var port = FreePorts.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        start.ArgumentList.Add($"--Licensing:DataDirectory={data.Path}");
        start.ArgumentList.Add($"--Licensing:OperatorToken={LicensingTestHost.OperatorToken}");
        start.ArgumentList.Add($"--Orleans:SiloPort={FreePorts.Next()}");
        start.ArgumentList.Add($"--Orleans:GatewayPort={FreePorts.Next()}");
        foreach (var arg in args) start.ArgumentList.Add(arg);

        var server = new ServerProcess(Process.Start(start)!, data, port);
        try
        {
            await Eventually.True(async () =>
            {
                if (server._process.HasExited) throw new InvalidOperationException($"the server exited ({server._process.ExitCode}): {string.Join('\n', server.Lines)}");
                try
                {
                    using var ready = await server.Http.GetAsync("/health/ready");
                    return ready.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(90), () => Task.FromResult($"the server was not ready: {string.Join('\n', server.Lines)}"));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>An account with credits, an app and one license, made through the APIs.</summary>
    public async Task<(string AppId, string AppSecret, string LicenseKey, string ApiKey)> SeedAsync(long credits = 1_000)
    {
        using var account = await Operator.PostAsJsonAsync("/admin/v1/accounts", new { name = "Observed", credits });
        account.EnsureSuccessStatusCode();
        var apiKey = (await account.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("apiKey").GetString()!;
        using var developer = new HttpClient { BaseAddress = BaseAddress };
        developer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var app = await developer.PostAsJsonAsync("/v1/apps", new { name = "Observed app" });
        app.EnsureSuccessStatusCode();
        var appBody = await app.Content.ReadFromJsonAsync<JsonElement>();
        var appId = appBody.GetProperty("appId").GetString()!;
        using var license = await developer.PostAsJsonAsync("/v1/licenses", new { appId, maxHwidSlots = 1 });
        license.EnsureSuccessStatusCode();
        var key = (await license.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("licenses")[0].GetProperty("licenseKey").GetString()!;
        return (appId, appBody.GetProperty("appSecret").GetString()!, key, apiKey);
    }

    /// <summary>A validate; returns the HTTP status and the body's <c>error</c> (or <c>success</c>).</summary>
    public async Task<string> ValidateAsync(string appId, string appSecret, string licenseKey, string hwid, string? nonce = null)
    {
        using var response = await Http.PostAsJsonAsync("/auth/validate",
            new { appId, appSecret, licenseKey, hwid, nonce = nonce ?? NewNonce() });
        return Outcome(await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>A validate that must succeed; returns the session token of its payload.</summary>
    public async Task<string> StartSessionAsync(string appId, string appSecret, string licenseKey, string hwid)
    {
        using var response = await Http.PostAsJsonAsync("/auth/validate",
            new { appId, appSecret, licenseKey, hwid, nonce = NewNonce() });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.TryGetProperty("payload", out var payload), $"validate failed: {body}");
        using var decoded = JsonDocument.Parse(Convert.FromBase64String(payload.GetString()!));
        return decoded.RootElement.GetProperty("sessionToken").GetString()!;
    }

    /// <summary>A heartbeat; returns the body's <c>error</c> (or <c>success</c>).</summary>
    public async Task<string> HeartbeatAsync(string appId, string sessionToken, string hwid)
    {
        using var response = await Http.PostAsJsonAsync("/auth/heartbeat",
            new { appId, sessionToken, hwid, nonce = NewNonce() });
        return Outcome(await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static string NewNonce() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    /// <summary>An <c>/auth</c> answer's <c>error</c>, or its <c>status</c> (<c>success</c>).</summary>
    private static string Outcome(JsonElement body) =>
        body.TryGetProperty("error", out var error) ? error.GetString()! : body.GetProperty("status").GetString()!;

    /// <summary>A scrape of <c>/metrics</c> with the operator token.</summary>
    public async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await Operator.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/metrics answered {(int)response.StatusCode}: {body}");
        return new PrometheusText(body);
    }

    /// <summary>Graceful stop (SIGTERM), then the data directory is removed.</summary>
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Operator.Dispose();
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        _process.Dispose();
        _data.Dispose();
    }
}

/// <summary>One server process shared by the observability tests.</summary>
public sealed class ObservedServer : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;

    // Webhooks may target the test's loopback receiver; the sweeper (which counts the backlog) runs every second.
    public async ValueTask InitializeAsync() => Server = await ServerProcess.StartAsync(
        "--Licensing:Webhooks:AllowPrivateTargets=true", "--Licensing:Webhooks:SweepInterval=00:00:01",
        "--Licensing:Metrics:GrainCallsSampling=1"); // every request's grain calls, as MetricsEndpointTests counts them

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ObservedServerCollection : ICollectionFixture<ObservedServer>
{
    public const string Name = "observed server process";
}
