namespace OrleansLicensing.Server.Http;

/// <summary>
/// Names, labels and reasons are one line of text for people (account, app and API key names, license
/// labels, credit and suspension reasons): control characters are refused there, U+0000 above all, which
/// PostgreSQL cannot store. Opaque client strings (HWIDs, variable values) are not held to this rule.
/// </summary>
public static class TextRules
{
    /// <summary>The <c>details</c> text of the rule.</summary>
    public const string ControlCharacters = "must not contain control characters (line breaks, tabs, U+0000)";

    /// <summary>Whether <paramref name="text"/> holds a C0 or C1 control character or DEL.</summary>
    public static bool HasControlCharacters(string text) =>
        text.AsSpan().IndexOfAnyInRange('\u0000', '\u001F') >= 0 || text.AsSpan().IndexOfAnyInRange('\u007F', '\u009F') >= 0;
}
