using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// A bar chart of per-minute values as inline SVG, drawn on the server like <see cref="DailyChart"/>:
/// each bar has a title with its minute (UTC) and value; the page states the totals in text.
/// </summary>
public static class MinuteChart
{
    private const int Width = 900;
    private const int Height = 140;
    private const int Bottom = 18;

    /// <summary>One series of bars; <paramref name="format"/> writes a value for the titles and the scale.</summary>
    public static IHtmlContent Bars(string label, IReadOnlyList<DateTimeOffset> minutes, IReadOnlyList<double> values, Func<double, string> format, bool failures = false)
    {
        var max = Math.Max(values.DefaultIfEmpty(0).Max(), 1e-9);
        var slot = (double)Width / Math.Max(1, minutes.Count);
        var plot = Height - Bottom;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{HtmlEncoder.Default.Encode(label)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"0\" y1=\"{plot}\" x2=\"{Width}\" y2=\"{plot}\"/>");
        for (var i = 0; i < minutes.Count; i++)
        {
            var x = i * slot + slot * 0.1;
            var w = slot * 0.8;
            var h = values[i] <= 0 ? 0 : values[i] * plot / max;
            var title = $"{minutes[i].UtcDateTime:HH:mm} UTC: {format(values[i])}";
            svg.Append("<g><title>").Append(HtmlEncoder.Default.Encode(title)).Append("</title>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{(failures ? "fail" : "bar")}\" x=\"{x:0.##}\" y=\"{plot - h:0.##}\" width=\"{w:0.##}\" height=\"{h:0.##}\"/>");
            svg.Append("</g>");
            var last = i == minutes.Count - 1;
            if ((i % 15 == 0 && i <= minutes.Count - 8) || last)
            {
                var anchor = i == 0 ? "start" : last ? "end" : "middle";
                var tx = i == 0 ? x : last ? x + w : i * slot + slot / 2;
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{tx:0.##}\" y=\"{Height - 4}\" text-anchor=\"{anchor}\">{minutes[i].UtcDateTime:HH:mm}</text>");
            }
        }
        svg.Append("<text x=\"2\" y=\"10\">max ").Append(HtmlEncoder.Default.Encode(format(values.DefaultIfEmpty(0).Max()))).Append("</text>");
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }
}
