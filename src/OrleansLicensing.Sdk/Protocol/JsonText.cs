using System.Text.Json;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>
/// Strings read from a response the SDK does not trust yet. <see cref="JsonDocument"/> accepts string
/// values that are not valid UTF-8 and escapes that are lone surrogates (<c>"\ud800"</c>), and
/// <see cref="JsonElement.GetString"/> then throws <see cref="InvalidOperationException"/>: such a value is
/// read as no string at all, so it fails the check it is read for with that check's code.
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

    /// <summary>The string member <paramref name="name"/> of <paramref name="element"/>, or null when absent, not a string or undecodable.</summary>
    public static string? Text(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetText(out var text) ? text : null;
}
