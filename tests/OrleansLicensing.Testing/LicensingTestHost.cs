using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Server;

namespace OrleansLicensing.Testing;

/// <summary>
/// The real server (<see cref="Program.BuildAsync"/>: the same host the executable runs) on Kestrel,
/// bound to an ephemeral loopback port, with its own silo ports. Tests talk to it over real HTTP.
/// </summary>
public sealed class LicensingTestHost : IAsyncDisposable
{
    public const string OperatorToken = "test-operator-token-0123456789";
    public const string MasterKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private readonly WebApplication _app;
    private bool _stopped;

    private LicensingTestHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Operator = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Operator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
    }

    public Uri BaseAddress { get; }

    /// <summary>A client without credentials.</summary>
    public HttpClient Http { get; }

    /// <summary>A client that sends the operator token.</summary>
    public HttpClient Operator { get; }

    public IServiceProvider Services => _app.Services;

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Settings for an embedded (SQLite) server in <paramref name="dataDirectory"/>.</summary>
    public static Dictionary<string, string?> SqliteSettings(string dataDirectory) => new()
    {
        ["Licensing:DataDirectory"] = dataDirectory,
        ["Licensing:OperatorToken"] = OperatorToken,
    };

    /// <summary>Settings for a cluster member on PostgreSQL.</summary>
    public static Dictionary<string, string?> PostgresSettings(string dataDirectory, string connectionString, string clusterId) => new()
    {
        ["Licensing:DataDirectory"] = dataDirectory,
        ["Licensing:OperatorToken"] = OperatorToken,
        ["Licensing:MasterKey"] = MasterKey,
        ["Licensing:Auth:SessionTokenSecrets:0"] = "test-session-token-secret-0123456789abcdef",
        ["Licensing:Storage:Provider"] = "PostgreSql",
        ["ConnectionStrings:Licensing"] = connectionString,
        ["Orleans:ClusterId"] = clusterId,
        ["Orleans:AdvertisedIPAddress"] = "127.0.0.1",
    };

    /// <summary>Starts a host and waits until <c>/health/ready</c> answers 200.</summary>
    public static async Task<LicensingTestHost> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var values = new Dictionary<string, string?>(settings)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:OrleansLicensing.Startup"] = "Information",
        };
        values.TryAdd("Orleans:SiloPort", FreePorts.Next().ToString());
        values.TryAdd("Orleans:GatewayPort", FreePorts.Next().ToString());

        var app = await Program.BuildAsync([.. values.Where(v => v.Value is not null).Select(v => $"--{v.Key}={v.Value}")]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new LicensingTestHost(app, new Uri(address));
        await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        return host;
    }

    public Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        HttpResponseMessage? last = null;
        return Eventually.True(
            async () =>
            {
                last?.Dispose();
                last = await Http.GetAsync("/health/ready");
                return last.IsSuccessStatusCode;
            },
            timeout,
            async () => $"/health/ready still {(int)last!.StatusCode}: {await last.Content.ReadAsStringAsync()}");
    }

    /// <summary>Graceful stop: leaves the cluster, deactivates grains, closes storage.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Http.Dispose();
        Operator.Dispose();
        await _app.DisposeAsync();
    }
}
