using System.Globalization;
using System.Text.Json;
using OrleansLicensing.Server.Http;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>How the console shows values and reads form fields (UTC everywhere, like the API).</summary>
public static class ConsoleFormat
{
    /// <summary>A timestamp to the minute in UTC, or a dash.</summary>
    public static string Time(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "—";

    /// <summary>A timestamp for a <c>datetime-local</c> input (UTC, to the minute).</summary>
    public static string InputTime(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture) : "";

    /// <summary>A whole number with thousands separators.</summary>
    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads an optional integer field: empty is <c>null</c>; anything else that is not an integer
    /// adds <paramref name="problem"/> (worded like the API's detail for the member).
    /// </summary>
    public static long? Integer(string? text, List<string> details, string problem)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        details.Add(problem);
        return null;
    }

    /// <summary>Reads an optional UTC time from a <c>datetime-local</c> or date field; empty is <c>null</c>.</summary>
    public static DateTimeOffset? UtcTime(string? text, List<string> details, string member)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        string[] formats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd", "yyyy-MM-dd HH:mm"];
        if (DateTime.TryParseExact(text.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var value))
        {
            return new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));
        }
        details.Add($"{member}: not a date and time (YYYY-MM-DD HH:MM, UTC)");
        return null;
    }

    /// <summary>Reads an optional JSON object field (variables); empty is <c>null</c>.</summary>
    public static JsonElement? JsonObject(string? text, List<string> details, string member)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            details.Add($"{member}: not valid JSON (write an object such as {{\"tier\": \"pro\"}})");
            return null;
        }
    }

    /// <summary>Throws the API's 400 for problems found while reading the form, before any service is called.</summary>
    public static void ThrowIfAny(List<string> details)
    {
        if (details.Count > 0) throw ApiException.BadRequest([.. details]);
    }

    /// <summary>A license's state as the listing's status filter names it: revoked, expired or active.</summary>
    public static string State(Developer.Licenses.LicenseResponse license) =>
        license.Status == Licenses.LicenseStatus.Revoked ? "revoked" : license.Expired ? "expired" : "active";

    // Shown through Razor, which HTML-encodes it; JSON escapes only what JSON needs, so "café" stays readable.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A variable as written in JSON (strings quoted), for display.</summary>
    public static string VariableValue(Variable variable) =>
        variable.Kind == VariableKind.String ? JsonSerializer.Serialize(variable.Text, Readable) : variable.Text;

    /// <summary>Variables as the JSON object the forms accept, for editing.</summary>
    public static string VariablesJson(IReadOnlyList<Variable> variables) =>
        variables.Count == 0 ? "" : "{" + string.Join(", ", variables.Select(v => JsonSerializer.Serialize(v.Name, Readable) + ": " + VariableValue(v))) + "}";
}
