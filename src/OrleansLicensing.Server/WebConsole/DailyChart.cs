using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// A bar chart of daily values as inline SVG, drawn on the server (no script, no styles outside the
/// console's stylesheet). Each bar has a title with its day and values; the table beside it carries
/// the same numbers for screen readers.
/// </summary>
public static class DailyChart
{
    private const int Width = 900;
    private const int Height = 160;
    private const int Bottom = 18;

    /// <summary>Bars of one series, or two stacked series (the second in the failure colour).</summary>
    public static IHtmlContent Bars(string label, IReadOnlyList<DateOnly> days, IReadOnlyList<long> values, IReadOnlyList<long>? stacked = null, string? stackedName = null, string valueName = "")
    {
        var max = Math.Max(1, days.Select((_, i) => values[i] + (stacked?[i] ?? 0)).DefaultIfEmpty(0).Max());
        var slot = (double)Width / Math.Max(1, days.Count);
        var plot = Height - Bottom;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{HtmlEncoder.Default.Encode(label)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"0\" y1=\"{plot}\" x2=\"{Width}\" y2=\"{plot}\"/>");
        for (var i = 0; i < days.Count; i++)
        {
            var x = i * slot + slot * 0.15;
            var w = slot * 0.7;
            var h1 = values[i] * plot / (double)max;
            var h2 = (stacked?[i] ?? 0) * plot / (double)max;
            var title = $"{days[i]:yyyy-MM-dd}: {values[i]} {valueName}" + (stacked is null ? "" : $", {stacked[i]} {stackedName}");
            svg.Append("<g><title>").Append(HtmlEncoder.Default.Encode(title)).Append("</title>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{x:0.##}\" y=\"{plot - h1:0.##}\" width=\"{w:0.##}\" height=\"{h1:0.##}\"/>");
            if (stacked is not null) svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"fail\" x=\"{x:0.##}\" y=\"{plot - h1 - h2:0.##}\" width=\"{w:0.##}\" height=\"{h2:0.##}\"/>");
            svg.Append("</g>");
            // A date under every seventh bar and the last; the ends are anchored inside the drawing.
            var last = i == days.Count - 1;
            if ((i % 7 == 0 && i <= days.Count - 4) || last)
            {
                var anchor = i == 0 ? "start" : last ? "end" : "middle";
                var tx = i == 0 ? x : last ? x + w : i * slot + slot / 2;
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{tx:0.##}\" y=\"{Height - 4}\" text-anchor=\"{anchor}\">{days[i]:MM-dd}</text>");
            }
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"2\" y=\"10\">max {max}</text>");
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }
}
