using System.Globalization;
using System.Text.Json;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>
/// Values read from JSON the SDK does not trust yet (responses, offline files).
/// Strings: <see cref="JsonDocument"/> accepts string <see cref="JsonDocument"/> accepts string
/// values that are not valid UTF-8 and escapes that are lone surrogates (<c>"\ud800"</c>), and
/// <see cref="JsonElement.GetString"/> then throws <see cref="InvalidOperationException"/>: such a value is
/// read as no string at all, so it fails the check it is read for with that check's code.
/// Integers: a JSON number with an integral value, as docs/protocol.md §2.2 defines them.
/// </summary>
internal static class JsonText
{
    /// <summary>The string value of <paramref name="element"/>, or false when it is not a string or cannot be decoded.</summary>
    public static bool TryGetText(this JsonElement element, out string text)
    {
        text = "";
        if (element.ValueKind != JsonValueKind.String) return false;
        try
        {
            text = element.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The value of <paramref name="element"/> when it is a JSON number with an integral value within
    /// <see cref="long"/> (§2.2: <c>3600</c>, <c>3600.0</c> and <c>36e2</c> are integers; <c>3600.5</c> and
    /// <c>"3600"</c> are not). Decided on the decimal text, so no floating-point or decimal rounding makes
    /// <c>1.00000000000000000000000000001</c> an integer.
    /// </summary>
    public static bool TryGetInteger(this JsonElement element, out long value)
    {
        value = 0;
        if (element.ValueKind != JsonValueKind.Number) return false;
        if (element.TryGetInt64(out value)) return true;

        // The reader has validated the grammar: -?digits(.digits)?([eE][+-]?digits)?
        var text = element.GetRawText();
        var e = text.IndexOfAny(['e', 'E']);
        var mantissa = e < 0 ? text : text[..e];
        var negative = mantissa.StartsWith('-');
        if (negative) mantissa = mantissa[1..];
        var dot = mantissa.IndexOf('.');
        var digits = (dot < 0 ? mantissa : string.Concat(mantissa.AsSpan(0, dot), mantissa.AsSpan(dot + 1))).TrimStart('0');
        if (digits.Length == 0) return true; // zero, whatever its fraction or exponent

        // value = digits × 10^scale; an exponent beyond ±10^9 is clamped (no document has that many digits).
        const long ExponentLimit = 1_000_000_000;
        var exponent = e < 0 ? 0 : Math.Clamp(long.TryParse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var x)
            ? x
            : text[e + 1] == '-' ? -ExponentLimit : ExponentLimit, -ExponentLimit, ExponentLimit);
        var scale = exponent - (dot < 0 ? 0 : mantissa.Length - dot - 1);
        if (scale < 0)
        {
            var trailingZeros = digits.Length - digits.TrimEnd('0').Length;
            if (-scale > trailingZeros) return false; // a fraction remains
            digits = digits[..(digits.Length + (int)scale)];
        }
        else
        {
            if (digits.Length + scale > 19) return false; // beyond long
            digits += new string('0', (int)scale);
        }
        return long.TryParse(negative ? "-" + digits : digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>The string member <paramref name="name"/> of <paramref name="element"/>, or null when absent, not a string or undecodable.</summary>
    public static string? Text(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetText(out var text) ? text : null;
}
