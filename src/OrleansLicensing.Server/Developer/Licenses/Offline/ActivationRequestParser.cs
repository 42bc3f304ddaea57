using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrleansLicensing.Server.Developer.Licenses.Offline;

/// <summary>A parsed, checksum-verified activation request (docs/protocol.md §18.4).</summary>
public sealed record ActivationRequestInfo(string AppId, string Hwid, DateTimeOffset CreatedAt, string? MachineName, string? Os, string? Sdk, string? LicenseKey);

/// <summary>Why an uploaded activation request was refused; the wire names of docs/developer-api.md §4.3a.</summary>
public static class ActivationRequestProblems
{
    public const string Malformed = "malformed";
    public const string ChecksumMismatch = "checksum_mismatch";
    public const string IsLicenseFile = "is_license_file";
    public const string WrongApp = "wrong_app";
}

/// <summary>
/// Reads <c>.authforge-request</c> text as customers send it: a leading BOM, CRLF, re-wrapped base64 and
/// text around the armor (an e-mail) are tolerated; a damaged body (checksum), a license file sent by
/// mistake and anything that is not a v1 request are refused with the problem's name.
/// </summary>
public static class ActivationRequestParser
{
    private const string Begin = "-----BEGIN AUTHFORGE ACTIVATION REQUEST-----";
    private const string End = "-----END AUTHFORGE ACTIVATION REQUEST-----";
    private const string LicenseBegin = "-----BEGIN AUTHFORGE LICENSE-----";

    /// <summary>The request, or null with <paramref name="problem"/> (one of <see cref="ActivationRequestProblems"/>) and a human explanation.</summary>
    public static ActivationRequestInfo? Parse(string? text, out string problem, out string explanation)
    {
        problem = ActivationRequestProblems.Malformed;
        explanation = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            explanation = "empty; paste the whole .authforge-request file";
            return null;
        }
        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n').Select(l => l.Trim()).ToArray();
        var begin = Array.IndexOf(lines, Begin);
        if (begin < 0)
        {
            if (lines.Contains(LicenseBegin))
            {
                problem = ActivationRequestProblems.IsLicenseFile;
                explanation = "this is an offline license file (.authforge), not an activation request (.authforge-request)";
                return null;
            }
            explanation = "no '-----BEGIN AUTHFORGE ACTIVATION REQUEST-----' line";
            return null;
        }
        var end = Array.IndexOf(lines, End, begin + 1);
        if (end < 0)
        {
            explanation = "no '-----END AUTHFORGE ACTIVATION REQUEST-----' line (truncated?)";
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = begin + 1;
        for (; i < end && lines[i].Length > 0; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                explanation = $"header line '{Shorten(lines[i])}' is not 'Name: value'";
                return null;
            }
            headers[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
        }
        if (i >= end)
        {
            explanation = "no blank line between the headers and the body";
            return null;
        }
        if (!headers.TryGetValue("Version", out var version) || version != "1")
        {
            explanation = "Version header missing or not 1";
            return null;
        }
        if (!headers.TryGetValue("Checksum", out var checksum) || checksum.Length == 0)
        {
            explanation = "Checksum header missing";
            return null;
        }

        var body = string.Concat(lines[(i + 1)..end].Select(l => string.Concat(l.Where(c => !char.IsWhiteSpace(c)))));
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(body)))[..16];
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(checksum.ToLowerInvariant())))
        {
            problem = ActivationRequestProblems.ChecksumMismatch;
            explanation = "the body does not match its Checksum header: the file was damaged, truncated or edited; ask for it again as an attachment";
            return null;
        }

        JsonElement root;
        try
        {
            using var json = JsonDocument.Parse(Convert.FromBase64String(body));
            root = json.RootElement.Clone();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            explanation = "the body is not standard base64 of a JSON object";
            return null;
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            explanation = "the body is not a JSON object";
            return null;
        }
        if (!root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var number) || number != 1)
        {
            explanation = "v is not 1";
            return null;
        }
        if (Text(root, "typ", 64) != "authforge-activation-request")
        {
            explanation = "typ is not 'authforge-activation-request'";
            return null;
        }
        var appId = Text(root, "appId", 64);
        var hwid = Text(root, "hwid", 256);
        var createdText = Text(root, "createdAt", 64);
        if (appId is null || hwid is null || createdText is null
            || !DateTimeOffset.TryParse(createdText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var createdAt))
        {
            explanation = "appId, hwid (at most 256 characters) and createdAt (ISO time) are required";
            return null;
        }
        if (headers.TryGetValue("App-Id", out var headerApp) && headerApp != appId)
        {
            explanation = "the App-Id header differs from the appId inside the request";
            return null;
        }
        if (!Optional(root, "machineName", 128, out var machineName) || !Optional(root, "os", 64, out var os)
            || !Optional(root, "sdk", 64, out var sdk) || !Optional(root, "licenseKey", 64, out var licenseKey))
        {
            explanation = "machineName (≤ 128), os (≤ 64), sdk (≤ 64) and licenseKey (≤ 64) must be strings within their limits";
            return null;
        }
        return new ActivationRequestInfo(appId, hwid, createdAt, machineName, os, sdk, licenseKey);
    }

    private static string? Text(JsonElement root, string name, int max) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text && text.Length <= max && text.Trim().Length > 0
            ? text
            : null;

    private static bool Optional(JsonElement root, string name, int max, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return true;
        if (element.ValueKind != JsonValueKind.String || element.GetString()!.Length > max) return false;
        value = element.GetString();
        return true;
    }

    private static string Shorten(string line) => line.Length <= 40 ? line : line[..40] + "…";
}
