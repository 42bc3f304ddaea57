using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Orleans.Dashboard;
using OrleansLicensing.Diagnostics;
using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.Observability;

/// <summary>
/// The one place that wires what operators watch: OpenTelemetry metrics (the product's meter,
/// Orleans' own, ASP.NET Core's and the .NET runtime's) exported for Prometheus at <c>/metrics</c>
/// and, when configured, pushed over OTLP; and the Orleans dashboard at <c>/dashboard</c>. Both are
/// behind <see cref="OperatorGate"/>.
/// </summary>
public static class Telemetry
{
    /// <summary>Orleans' meter (activations, messaging, storage, membership).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Registers the meter, the exporters and (when enabled) the dashboard's silo services.</summary>
    public static void AddLicensingTelemetry(this WebApplicationBuilder builder, ObservabilityOptions options)
    {
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<LicensingMetrics>();
        if (options.Metrics.Port > 0) AddMetricsPort(builder, options.Metrics.Port);

        var metrics = options.Metrics;
        if (!metrics.Prometheus && string.IsNullOrEmpty(metrics.OtlpEndpoint)) return;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("orleans-licensing", serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithMetrics(meters =>
            {
                meters.AddMeter(LicensingMetrics.MeterName, OrleansMeter)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation();
                // Every scrape is a fresh collection: two scrapes a moment apart must not show the same numbers.
                if (metrics.Prometheus) meters.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                if (metrics.OtlpEndpoint is { Length: > 0 } endpoint)
                {
                    meters.AddOtlpExporter((exporter, reader) =>
                    {
                        exporter.Endpoint = new Uri(endpoint);
                        exporter.Protocol = metrics.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)metrics.OtlpInterval.TotalMilliseconds;
                    });
                }
            });
    }

    /// <summary>The Orleans dashboard's silo side (its grain service, profiler and collectors).</summary>
    public static void AddLicensingDashboard(this ISiloBuilder silo, ObservabilityOptions options)
    {
        if (!options.Dashboard.Enabled) return;
        silo.AddDashboard(dashboard =>
        {
            // The live log stream would show every log line of the silo in a browser tab; the logs are
            // for the operator's own log pipeline.
            dashboard.HideTrace = true;
        });
    }

    /// <summary>Maps <c>/metrics</c> and <c>/dashboard</c> behind the operator gate.</summary>
    public static void MapLicensingTelemetry(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<ObservabilityOptions>();
        var metricsPort = options.Metrics.Port;
        if (metricsPort > 0)
        {
            // The metrics port serves /metrics only, without a token; the API's port does not serve it.
            app.Use(async (context, next) =>
            {
                var onMetricsPort = context.Connection.LocalPort == metricsPort;
                var isMetrics = context.Request.Path.StartsWithSegments(ObservabilityOptions.MetricsPath);
                if (onMetricsPort != isMetrics)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
                await next(context);
            });
        }
        var guarded = new List<string>();
        if (metricsPort == 0) guarded.Add(ObservabilityOptions.MetricsPath);
        if (options.Dashboard.Enabled) guarded.Add(ObservabilityOptions.DashboardPath);
        app.UseOperatorGate([.. guarded]);
        if (options.Metrics.Prometheus) app.MapPrometheusScrapingEndpoint(ObservabilityOptions.MetricsPath);
        if (options.Dashboard.Enabled) app.MapOrleansDashboard(ObservabilityOptions.DashboardPath).ExcludeFromDescription(); // not part of the API reference
    }

    /// <summary>Adds the metrics port to the server's addresses, on the host of the first API address.</summary>
    private static void AddMetricsPort(WebApplicationBuilder builder, int port)
    {
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "";
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? LicensingSettings.DefaultUrl;
        var host = "localhost";
        var scheme = first.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            var rest = first[(scheme + 3)..];
            var end = rest.StartsWith('[') ? rest.IndexOf(']') + 1 : rest.IndexOfAny([':', '/']);
            host = end > 0 ? rest[..end] : rest;
        }
        builder.WebHost.UseUrls($"{urls};http://{host}:{port}");
    }
}
