using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OrleansLicensing.Server.Http;
using OrleansLicensing.Server.Observability;

namespace OrleansLicensing.Server.Hosting;

/// <summary>The first lines an operator reads once the server is up: where the API, its reference, the metrics and the dashboard are.</summary>
public static partial class ListeningBanner
{
    /// <summary>Logs the bound HTTP addresses, the <c>/docs</c> reference, <c>/metrics</c> and <c>/dashboard</c> (call after the host started).</summary>
    public static void LogWhereToFind(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        if (addresses.Count == 0) return;
        var observability = app.Services.GetRequiredService<ObservabilityOptions>();
        var metricsPort = observability.Metrics.Port;
        var api = addresses.Where(a => metricsPort == 0 || !a.EndsWith($":{metricsPort}", StringComparison.Ordinal)).ToList();
        var first = (api.Count > 0 ? api[0] : addresses[0]).TrimEnd('/');
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansLicensing.Startup");
        Listening(logger, string.Join(", ", api), first + OpenApiDocumentation.ReferencePath, app.Environment.ContentRootPath);

        if (observability.Metrics.Prometheus)
        {
            var metrics = metricsPort == 0
                ? first + ObservabilityOptions.MetricsPath
                : addresses.First(a => a.EndsWith($":{metricsPort}", StringComparison.Ordinal)).TrimEnd('/') + ObservabilityOptions.MetricsPath;
            Metrics(logger, metrics, metricsPort == 0 ? "the operator token" : "no token (its own port)");
        }
        if (!string.IsNullOrEmpty(observability.Metrics.OtlpEndpoint)) Otlp(logger, observability.Metrics.OtlpEndpoint, observability.Metrics.OtlpProtocol);
        if (observability.Dashboard.Enabled) Dashboard(logger, first + ObservabilityOptions.DashboardPath);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OrleansLicensing listening on {Addresses} — API reference at {Docs} (content root {ContentRoot})")]
    private static partial void Listening(ILogger logger, string addresses, string docs, string contentRoot);

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus metrics at {Metrics} (needs {Access})")]
    private static partial void Metrics(ILogger logger, string metrics, string access);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics are pushed over OTLP to {Endpoint} ({Protocol})")]
    private static partial void Otlp(ILogger logger, string endpoint, string protocol);

    [LoggerMessage(Level = LogLevel.Information, Message = "Orleans dashboard at {Dashboard} (sign in with the operator token as the password)")]
    private static partial void Dashboard(ILogger logger, string dashboard);
}
