using OrleansLicensing.Server.Hosting;

namespace OrleansLicensing.Server.Observability;

/// <summary>
/// The <c>Licensing:Metrics</c> and <c>Licensing:Dashboard</c> sections: where metrics are exported
/// and whether the Orleans dashboard is mounted (docs/operations.md).
/// </summary>
public sealed class ObservabilityOptions
{
    /// <summary>Path of the Prometheus scrape endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Path the Orleans dashboard is mounted under.</summary>
    public const string DashboardPath = "/dashboard";

    /// <summary><c>Licensing:Metrics</c>.</summary>
    public MetricsOptions Metrics { get; init; } = new();

    /// <summary><c>Licensing:Dashboard</c>.</summary>
    public DashboardOptions Dashboard { get; init; } = new();

    /// <summary>The <c>Licensing:Metrics</c> section.</summary>
    public sealed class MetricsOptions
    {
        /// <summary>Serve <c>/metrics</c> for Prometheus.</summary>
        public bool Prometheus { get; set; } = true;

        /// <summary>
        /// 0: <c>/metrics</c> is on the API's port and needs the operator token. Otherwise a port of its
        /// own (same host as the first API address) that serves only <c>/metrics</c>, without a token.
        /// </summary>
        public int Port { get; set; }

        /// <summary>OTLP collector address (e.g. <c>http://otel-collector:4317</c>); metrics are pushed there when set.</summary>
        public string? OtlpEndpoint { get; set; }

        /// <summary><c>grpc</c> (port 4317) or <c>http/protobuf</c> (port 4318, path <c>/v1/metrics</c>).</summary>
        public string OtlpProtocol { get; set; } = "grpc";

        /// <summary>How often metrics are pushed to the OTLP endpoint.</summary>
        public TimeSpan OtlpInterval { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>
        /// <c>licensing.auth.grain_calls</c> counts the grain calls of one <c>/auth</c> request in this many
        /// (1: every request; 0, the default: none). Counting a request carries its id in the Orleans request
        /// context of every call it makes, which every message then copies, and needs an outgoing-call filter
        /// in the way of every grain call of the silo (about 0.65 KiB allocated per call, docs/benchmarks.md,
        /// stop 32); at 0 the filter is not installed. A diagnostic of the request path's design budget:
        /// the tests count every request.
        /// </summary>
        public int GrainCallsSampling { get; set; } = DefaultGrainCallsSampling;

        /// <summary>Default of <see cref="GrainCallsSampling"/>.</summary>
        public const int DefaultGrainCallsSampling = 0;
    }

    /// <summary>The <c>Licensing:Dashboard</c> section.</summary>
    public sealed class DashboardOptions
    {
        /// <summary>Mount the Orleans dashboard at <c>/dashboard</c> (operator token through HTTP basic authentication).</summary>
        public bool Enabled { get; set; } = true;
    }

    /// <summary>Binds and validates both sections; a wrong value names its key.</summary>
    public static ObservabilityOptions Load(IConfiguration configuration)
    {
        MetricsOptions metrics;
        DashboardOptions dashboard;
        try
        {
            metrics = configuration.GetSection("Licensing:Metrics").Get<MetricsOptions>() ?? new();
            dashboard = configuration.GetSection("Licensing:Dashboard").Get<DashboardOptions>() ?? new();
        }
        catch (InvalidOperationException error)
        {
            throw new LicensingConfigurationException(error.Message);
        }
        if (metrics.Port is < 0 or > 65535)
        {
            throw new LicensingConfigurationException($"Licensing:Metrics:Port = '{metrics.Port}' is invalid: must be 0 (none) or a TCP port (1–65535)");
        }
        if (metrics.OtlpEndpoint is { Length: > 0 } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            throw new LicensingConfigurationException($"Licensing:Metrics:OtlpEndpoint = '{endpoint}' is invalid: must be an http:// or https:// URL");
        }
        if (metrics.OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            throw new LicensingConfigurationException($"Licensing:Metrics:OtlpProtocol = '{metrics.OtlpProtocol}' is invalid: must be grpc or http/protobuf");
        }
        if (metrics.OtlpInterval < TimeSpan.FromSeconds(1) || metrics.OtlpInterval > TimeSpan.FromHours(1))
        {
            throw new LicensingConfigurationException($"Licensing:Metrics:OtlpInterval = '{metrics.OtlpInterval}' is invalid: must be between 00:00:01 and 01:00:00");
        }
        ConfigurationRules.IntegerBetween("Licensing:Metrics:GrainCallsSampling", metrics.GrainCallsSampling, 0, 1_000_000);
        return new ObservabilityOptions { Metrics = metrics, Dashboard = dashboard };
    }
}
