using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Diagnostics;

namespace OrleansLicensing.Server.Observability;

/// <summary>
/// docs/operations.md and the Grafana dashboard name only metrics the product has, and the
/// operations guide explains every one of them.
/// </summary>
public sealed partial class OperationsDocsTests
{
    private static string RepositoryFile(string relative)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansLicensing.sln"))) return Path.Combine(directory.FullName, relative);
        }
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The Prometheus names of the product's instruments (as the exporter names them: unit suffix, <c>_total</c> for counters).</summary>
    private static HashSet<string> ProductMetricNames()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new LicensingMetrics(services.GetRequiredService<IMeterFactory>());
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (!ReferenceEquals(instrument.Meter, metrics.Meter)) return;
                var name = instrument.Name.Replace('.', '_');
                if (instrument.Unit == "s") name += "_seconds";
                if (instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal) || instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal)) name += "_total";
                names.Add(name);
            },
        };
        listener.Start();
        return names;
    }

    [GeneratedRegex(@"\blicensing_[a-z_]+")]
    private static partial Regex ProductMetric();

    private static string BaseName(string series) => Regex.Replace(series, "_(bucket|count|sum)$", "");

    [Fact]
    public void The_grafana_dashboard_queries_only_metrics_the_product_exports()
    {
        var known = ProductMetricNames();
        using var dashboard = JsonDocument.Parse(File.ReadAllText(RepositoryFile("docs/grafana/orleans-licensing.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .ToList();
        Assert.NotEmpty(expressions);
        var used = expressions.SelectMany(e => ProductMetric().Matches(e).Select(m => BaseName(m.Value))).ToHashSet();
        Assert.Empty(used.Except(known));
        // Every product metric has a panel.
        Assert.Empty(known.Except(used));
    }

    [Fact]
    public void The_operations_guide_explains_every_product_metric_and_names_no_other()
    {
        var known = ProductMetricNames();
        var guide = File.ReadAllText(RepositoryFile("docs/operations.md"));
        var named = ProductMetric().Matches(guide).Select(m => BaseName(m.Value)).ToHashSet();
        Assert.Empty(named.Except(known));
        Assert.Empty(known.Except(named));
    }
}
