namespace OrleansLicensing.Server.Hosting;

/// <summary>
/// Client text copied into SQL text columns and into the JSON a trigger parses: the auth log, and a
/// license's listing row (its label and HWIDs). An SDK may send any string as an HWID or license key
/// (auth-protocol.md §8.1), U+0000 included, but PostgreSQL stores no U+0000 in <c>text</c> and parses
/// no <c>\u0000</c> into <c>jsonb</c>: one such request failed its whole auth-log batch, and a binding
/// failed the license's write. These copies carry U+FFFD in its place, on both engines alike; the
/// license's own state (and so every <c>/auth</c> answer and the API's license document) keeps the
/// string exactly as sent.
/// </summary>
public static class IndexText
{
    /// <summary>The text with every U+0000 replaced by U+FFFD (the same instance when there is none).</summary>
    public static string? Clean(string? text) => text is null || !text.Contains('\0') ? text : text.Replace('\0', '\uFFFD');
}
