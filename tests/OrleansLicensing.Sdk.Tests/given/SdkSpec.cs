using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrleansLicensing.Accounts;
using OrleansLicensing.Apps;
using OrleansLicensing.Licenses;
using OrleansLicensing.Testing;
using ServerScheme = OrleansLicensing.Apps.SigningScheme;

namespace OrleansLicensing.Sdk.given;

/// <summary>An app as its vendor configures the SDK for it.</summary>
public sealed record TestApp(string AppId, string AppSecret, SigningScheme Scheme, string PublicKey, string KeyId, string AccountId);

/// <summary>Arrangement on the real server and SDK clients wired through a <see cref="TamperingProxy"/>.</summary>
public abstract class SdkSpec(SdkServer server) : IAsyncDisposable
{
    private readonly List<LicensingClient> _clients = [];
    private readonly List<HttpClient> _http = [];

    protected LicensingTestHost Host { get; } = server.Host;

    protected IGrainFactory Grains => Host.Grains;

    protected TamperingProxy Proxy { get; } = new();

    protected FastTime Time { get; } = new();

    protected LogCapture Logs { get; } = new();

    /// <summary>Every OnFailure call, in order.</summary>
    protected ConcurrentQueue<(string Reason, LicensingException Error)> Failures { get; } = new();

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<SigningScheme> Schemes => [SigningScheme.Ed25519, SigningScheme.HmacV1, SigningScheme.HmacV2];

    public static TheoryData<SigningScheme, FailureMode> SchemesAndModes()
    {
        var data = new TheoryData<SigningScheme, FailureMode>();
        foreach (var scheme in new[] { SigningScheme.Ed25519, SigningScheme.HmacV1, SigningScheme.HmacV2 })
        {
            data.Add(scheme, FailureMode.Always200);
            data.Add(scheme, FailureMode.Semantic);
        }
        return data;
    }

    protected async Task<string> NewAccount(long credits = 1_000)
    {
        var response = await Host.Operator.PostAsJsonAsync("/admin/v1/accounts", new { name = "Vendor", credits }, Cancel);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Cancel)).GetProperty("accountId").GetString()!;
    }

    protected async Task<TestApp> NewApp(SigningScheme scheme = SigningScheme.Ed25519, FailureMode mode = FailureMode.Always200, long credits = 1_000, long? dailyCap = null)
    {
        var accountId = await NewAccount(credits);
        var appId = Guid.NewGuid().ToString();
        var serverScheme = scheme switch { SigningScheme.HmacV1 => ServerScheme.HmacV1, SigningScheme.HmacV2 => ServerScheme.HmacV2, _ => ServerScheme.Ed25519 };
        var created = await Grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(appId)).Create(new CreateApp(accountId, "Product", serverScheme, mode, dailyCap));
        Assert.NotNull(created);
        return new TestApp(appId, created.AppSecret, scheme, created.App.PublicKey, created.App.KeyId, accountId);
    }

    protected async Task<string> NewLicense(TestApp app, int slots = 1, DateTimeOffset? expiresAt = null, string? label = null, IReadOnlyList<Variable>? variables = null)
    {
        var key = LicenseKey.Generate();
        var created = await License(key).Create(new CreateLicense(app.AppId, app.AccountId, expiresAt, slots, false, label, variables ?? Variables.None));
        Assert.NotNull(created);
        return key;
    }

    protected ILicenseGrain License(string key) => Grains.GetGrain<ILicenseGrain>(ILicenseGrain.KeyFor(key));

    protected IAppGrain App(TestApp app) => Grains.GetGrain<IAppGrain>(IAppGrain.KeyFor(app.AppId));

    protected Task Suspend(string accountId) =>
        Host.Operator.PostAsync($"/admin/v1/accounts/{accountId}/suspend", new StringContent("{}", Encoding.UTF8, "application/json"), Cancel);

    /// <summary>Options for <paramref name="app"/> against the real server, with quick test settings (fast clock, own HWID, OnFailure recorded).</summary>
    protected LicensingClientOptions Options(TestApp app) => new()
    {
        AppId = app.AppId,
        AppSecret = app.AppSecret,
        SigningScheme = app.Scheme,
        PublicKeys = app.Scheme == SigningScheme.Ed25519 ? [app.PublicKey] : [],
        ApiBaseUrl = Host.BaseAddress,
        HeartbeatMode = HeartbeatMode.None,
        HeartbeatInterval = TimeSpan.FromSeconds(10),
        RequestTimeout = TimeSpan.FromSeconds(10),
        HwidOverride = "hwid-" + Guid.NewGuid().ToString("N"),
        MaxRetries = 3,
        OnFailure = (reason, error) => Failures.Enqueue((reason, error)),
        Logger = Logs,
        TimeProvider = Time,
    };

    /// <summary>A client that talks to the real server through <see cref="Proxy"/>; disposed after the test.</summary>
    protected LicensingClient Client(TestApp app, Action<LicensingClientOptions>? configure = null)
    {
        var options = Options(app);
        configure?.Invoke(options);
        return Client(options);
    }

    protected LicensingClient Client(LicensingClientOptions options)
    {
        var http = new HttpClient(Proxy, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new LicensingClient(options, http);
        lock (_clients)
        {
            _clients.Add(client);
            _http.Add(http);
        }
        return client;
    }

    /// <summary>Logs in and fails the test with the code when that does not work.</summary>
    protected async Task LoginOk(LicensingClient client, string key)
    {
        var ok = await client.LoginAsync(key, Cancel);
        Assert.True(ok, $"login failed: {string.Join(", ", Failures.Select(f => f.Error.Code))}\n{Logs.All}");
    }

    /// <summary>Waits, with a deadline, until <paramref name="condition"/> holds.</summary>
    protected static Task Until(Func<bool> condition, string what, int seconds = 20) =>
        Eventually.True(() => Task.FromResult(condition()), TimeSpan.FromSeconds(seconds), () => Task.FromResult(what));

    /// <summary>What an HMAC server would sign: lowercase hex HMAC-SHA256(SHA-256(material ‖ nonce), ASCII(P)).</summary>
    protected static string HmacSign(string material, string nonce, string p) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(SHA256.HashData(Encoding.UTF8.GetBytes(material + nonce)), Encoding.ASCII.GetBytes(p)));

    protected static string Base64Url(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        LicensingClient[] clients;
        lock (_clients) clients = [.. _clients];
        foreach (var client in clients) await client.DisposeAsync();
        foreach (var http in _http) http.Dispose();
        Proxy.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>An <see cref="ILogger"/> that keeps every entry: the formatted message, its structured values and the exception.</summary>
public sealed class LogCapture : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Text)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
        Entries.Enqueue((logLevel, $"{formatter(state, exception)} | {values} | {exception}"));
    }

    public string All => string.Join("\n", Entries.Select(e => e.Text));
}
