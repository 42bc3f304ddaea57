using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OrleansLicensing.Sdk.Offline;

/// <summary>
/// Creates <c>.authforge-request</c> activation requests (docs/protocol.md §18.4): a machine that never goes
/// online writes one, the customer sends it to the vendor, and the vendor mints an offline license file bound
/// to the machine's HWID. The request is not signed; its checksum only guards against damage in transit.
/// </summary>
public static class ActivationRequest
{
    /// <summary>The first line of the armor.</summary>
    public const string BeginMarker = "-----BEGIN AUTHFORGE ACTIVATION REQUEST-----";
    /// <summary>The last line of the armor.</summary>
    public const string EndMarker = "-----END AUTHFORGE ACTIVATION REQUEST-----";
    /// <summary>The usual file extension.</summary>
    public const string FileExtension = ".authforge-request";

    /// <summary>Longest HWID a request may carry.</summary>
    public const int MaxHwidLength = 256;
    /// <summary>Longest machine name a request may carry.</summary>
    public const int MaxMachineNameLength = 128;
    /// <summary>Longest OS description a request may carry.</summary>
    public const int MaxOsLength = 64;
    /// <summary>Longest SDK name a request may carry.</summary>
    public const int MaxSdkLength = 64;
    /// <summary>Longest license key a request may carry.</summary>
    public const int MaxLicenseKeyLength = 64;

    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The armored request text (LF line endings, trailing newline). The JSON keys follow §18.4's order;
    /// optional values that are null or empty are left out. The same inputs always give the same bytes.
    /// </summary>
    /// <exception cref="ArgumentException">An empty app id or HWID, or a value longer than its limit.</exception>
    public static string Create(string appId, string hwid, DateTimeOffset createdAt, string? machineName = null, string? os = null, string? sdk = null, string? licenseKey = null)
    {
        if (string.IsNullOrWhiteSpace(appId)) throw new ArgumentException("The app id is required.", nameof(appId));
        if (string.IsNullOrWhiteSpace(hwid)) throw new ArgumentException("The HWID is required.", nameof(hwid));
        CheckLength(hwid, MaxHwidLength, nameof(hwid));
        CheckLength(machineName, MaxMachineNameLength, nameof(machineName));
        CheckLength(os, MaxOsLength, nameof(os));
        CheckLength(sdk, MaxSdkLength, nameof(sdk));
        CheckLength(licenseKey, MaxLicenseKeyLength, nameof(licenseKey));

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Compact))
        {
            json.WriteStartObject();
            json.WriteNumber("v", 1);
            json.WriteString("typ", "authforge-activation-request");
            json.WriteString("appId", appId);
            json.WriteString("hwid", hwid);
            json.WriteString("createdAt", IsoTime(createdAt));
            WriteOptional(json, "machineName", machineName);
            WriteOptional(json, "os", os);
            WriteOptional(json, "sdk", sdk);
            WriteOptional(json, "licenseKey", licenseKey);
            json.WriteEndObject();
        }

        var body = Convert.ToBase64String(buffer.ToArray());
        var text = new StringBuilder();
        text.Append(BeginMarker).Append('\n');
        text.Append("Version: 1\n");
        text.Append("App-Id: ").Append(appId).Append('\n');
        text.Append("Checksum: ").Append(Checksum(body)).Append('\n');
        text.Append('\n');
        for (var i = 0; i < body.Length; i += 64) text.Append(body, i, Math.Min(64, body.Length - i)).Append('\n');
        text.Append(EndMarker).Append('\n');
        return text.ToString();
    }

    /// <summary>The first 16 lowercase hex characters of SHA-256 over the ASCII base64 body (white space removed).</summary>
    public static string Checksum(string body) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(body)))[..16].ToLowerInvariant();

    /// <summary>ISO-8601 UTC with milliseconds, e.g. <c>2026-09-11T12:00:00.000Z</c>, the form of the official SDKs.</summary>
    internal static string IsoTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Cuts <paramref name="value"/> to <paramref name="max"/> characters (for values read from the machine).</summary>
    internal static string? Truncate(string? value, int max)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        return value.Length <= max ? value : value[..max];
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value)) json.WriteString(name, value);
    }

    private static void CheckLength(string? value, int max, string name)
    {
        if (value is not null && value.Length > max) throw new ArgumentException($"{name} is longer than {max} characters.", name);
    }
}
