namespace OrleansLicensing;

/// <summary>The JSON type of a variable's value.</summary>
public enum VariableKind
{
    /// <summary>A JSON string; <see cref="Variable.Text"/> is the unescaped string.</summary>
    String = 0,
    /// <summary>A JSON number; <see cref="Variable.Text"/> is its JSON text exactly as written (e.g. <c>3</c>, <c>2.5</c>).</summary>
    Number = 1,
    /// <summary>A JSON boolean; <see cref="Variable.Text"/> is <c>true</c> or <c>false</c>.</summary>
    Boolean = 2,
}

/// <summary>
/// One entry of a flat variable object (app or license variables). Values keep their JSON type so
/// that <c>{"seats":3}</c> is written back as <c>3</c>, not <c>"3"</c> or <c>3.0</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Variable(
    [property: Id(0)] string Name,
    [property: Id(1)] VariableKind Kind,
    [property: Id(2)] string Text);

/// <summary>Helpers for variable sets: always kept sorted by name (ordinal), names unique.</summary>
public static class Variables
{
    /// <summary>The empty set.</summary>
    public static readonly Variable[] None = [];

    /// <summary>
    /// A JSON number's text as variables store and write it: a number with an integral value within 64 bits
    /// as plain decimal digits (<c>1.0</c> → <c>1</c>, <c>1E3</c> → <c>1000</c>, <c>-0</c> → <c>0</c>), as
    /// docs/protocol.md §2.3 writes every integer of an <c>/auth</c> response; a number with a fraction, or
    /// beyond 64 bits, as it was written (<c>2.50</c>, <c>1e300</c>). Exact: digits are moved, never
    /// converted through a double.
    /// </summary>
    /// <param name="text">Valid JSON number text.</param>
    public static string CanonicalNumber(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAny('.', 'e', 'E') < 0 && text != "-0") return text; // already plain digits
        var rest = text.AsSpan();
        var negative = rest.Length > 0 && rest[0] == '-';
        if (negative) rest = rest[1..];
        long exponent = 0;
        var e = rest.IndexOfAny('e', 'E');
        if (e >= 0)
        {
            if (!long.TryParse(rest[(e + 1)..], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out exponent)) return text;
            rest = rest[..e];
        }
        var dot = rest.IndexOf('.');
        var digits = dot < 0 ? rest.ToString() : string.Concat(rest[..dot], rest[(dot + 1)..]);
        var scale = exponent - (dot < 0 ? 0 : rest.Length - dot - 1);
        digits = digits.TrimStart('0');
        if (digits.Length == 0) return "0";
        var significant = digits.TrimEnd('0');
        scale += digits.Length - significant.Length;
        // A fraction remains: not an integer, kept as written. So is an integer beyond 64 bits (1e300): as
        // digits it would be hundreds of characters that SDKs reading 64-bit integers could not hold.
        if (scale < 0 || scale + significant.Length > 19) return text;
        var plain = (negative ? "-" : "") + significant + new string('0', (int)scale);
        return long.TryParse(plain, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _) ? plain : text;
    }

    /// <summary>Sorts by name (ordinal); the order in which payloads write them.</summary>
    public static Variable[] Normalize(IEnumerable<Variable> variables) =>
        variables.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray();
}
