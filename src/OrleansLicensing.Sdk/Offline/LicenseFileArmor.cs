namespace OrleansLicensing.Sdk.Offline;

/// <summary>
/// Reads the armor of a <c>.authforge</c> file (docs/protocol.md §18.1): tolerant of a UTF-8 BOM, CRLF, any
/// re-wrapping of the base64 blocks and text around the armor; strict about markers and the blank line.
/// </summary>
internal static class LicenseFileArmor
{
    public const string BeginLicense = "-----BEGIN AUTHFORGE LICENSE-----";
    public const string EndLicense = "-----END AUTHFORGE LICENSE-----";
    public const string BeginSignature = "-----BEGIN AUTHFORGE SIGNATURE-----";
    public const string EndSignature = "-----END AUTHFORGE SIGNATURE-----";

    /// <summary>The payload string P (white space removed, exactly what was signed) and the decoded signature; null when the armor is broken.</summary>
    public static (string Payload, byte[] PayloadBytes, byte[] Signature)? Read(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');

        var i = IndexOf(lines, BeginLicense, 0);
        if (i < 0) return null;

        // Headers up to the first blank line; reaching the end marker first is a broken armor.
        i++;
        while (i < lines.Length && lines[i].Trim().Length > 0)
        {
            if (lines[i].Trim() == EndLicense) return null;
            i++;
        }
        if (i >= lines.Length) return null;

        var endLicense = IndexOf(lines, EndLicense, i + 1);
        if (endLicense < 0) return null;
        var payload = Join(lines, i + 1, endLicense);

        var beginSignature = IndexOf(lines, BeginSignature, endLicense + 1);
        if (beginSignature < 0) return null;
        var endSignature = IndexOf(lines, EndSignature, beginSignature + 1);
        if (endSignature < 0) return null;
        var signature = Join(lines, beginSignature + 1, endSignature);

        var payloadBytes = DecodeStandardBase64(payload);
        var signatureBytes = DecodeStandardBase64(signature);
        if (payloadBytes is null || payloadBytes.Length == 0 || signatureBytes is null || signatureBytes.Length == 0) return null;
        return (payload, payloadBytes, signatureBytes);
    }

    private static int IndexOf(string[] lines, string marker, int from)
    {
        for (var i = from; i < lines.Length; i++)
        {
            if (lines[i].Trim() == marker) return i;
        }
        return -1;
    }

    private static string Join(string[] lines, int from, int to) =>
        string.Concat(lines[from..to].Select(l => string.Concat(l.Where(c => !char.IsWhiteSpace(c)))));

    /// <summary>Strict standard base64 (padded); base64url or stray characters are a broken block.</summary>
    internal static byte[]? DecodeStandardBase64(string value)
    {
        if (value.Length == 0 || value.Length % 4 != 0) return null;
        foreach (var c in value)
        {
            if (!(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '+' or '/' or '=')) return null;
        }
        try
        {
            return Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
