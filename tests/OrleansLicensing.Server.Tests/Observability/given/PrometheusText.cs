using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansLicensing.Server.Observability.given;

/// <summary>A scrape of <c>/metrics</c>, read as Prometheus text exposition.</summary>
public sealed class PrometheusText(string text)
{
    public string Text { get; } = text;

    /// <summary>Sum of the samples named <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Label, string Value)[] labels)
    {
        var total = 0.0;
        foreach (var line in Text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' ')) continue;
            if (!labels.All(l => line.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal))) continue;
            total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        return total;
    }

    /// <summary>Whether any sample is named <paramref name="name"/>.</summary>
    public bool Has(string name) => Text.Split('\n').Any(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal));

    /// <summary>An HTTP basic credential with the operator token as the password.</summary>
    public static AuthenticationHeaderValue Basic(string password, string user = "operator") =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
}
