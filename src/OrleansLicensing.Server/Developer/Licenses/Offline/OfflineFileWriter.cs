using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrleansLicensing.Licenses;
using OrleansLicensing.Security;

namespace OrleansLicensing.Server.Developer.Licenses.Offline;

/// <summary>What goes into an offline file's payload besides its own metadata (docs/protocol.md §18.2).</summary>
public sealed record OfflineFileContent(
    string AppId,
    string LicenseKey,
    string FileId,
    string KeyId,
    DateTimeOffset IssuedAt,
    DateTimeOffset? ExpiresAt,
    OfflineFileMode Mode,
    IReadOnlyList<string> Hwids,
    string? Label,
    DateTimeOffset? LicenseExpiresAt,
    IReadOnlyList<Variable> LicenseVariables,
    IReadOnlyList<Variable> AppVariables);

/// <summary>
/// Writes a signed <c>.authforge</c> file (docs/protocol.md §18.1): P = standard base64 of the compact payload,
/// the signature Ed25519 over ASCII(P), both wrapped at 64 characters, LF line endings, a final newline.
/// </summary>
public static class OfflineFileWriter
{
    public const string MediaType = "application/x-authforge-license";
    private const int LineLength = 64;

    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>ISO-8601 UTC with milliseconds (<c>2026-09-11T12:00:00.000Z</c>), the form of the official vectors.</summary>
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The payload JSON bytes, keys in the order of §18.2; <c>label</c> only when the license has one.</summary>
    public static byte[] Payload(OfflineFileContent c)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Compact))
        {
            json.WriteStartObject();
            json.WriteNumber("v", 1);
            json.WriteString("typ", "authforge-license");
            json.WriteString("appId", c.AppId);
            json.WriteString("licenseKey", c.LicenseKey);
            json.WriteString("jti", c.FileId);
            json.WriteString("kid", c.KeyId);
            json.WriteString("issuedAt", Time(c.IssuedAt));
            WriteTime(json, "expiresAt", c.ExpiresAt);
            json.WriteStartObject("hwid");
            if (c.Mode == OfflineFileMode.Any)
            {
                json.WriteString("mode", "any");
            }
            else
            {
                json.WriteString("mode", "bound");
                json.WriteStartArray("hwids");
                foreach (var hwid in c.Hwids) json.WriteStringValue(hwid);
                json.WriteEndArray();
            }
            json.WriteEndObject();
            if (c.Label is not null) json.WriteString("label", c.Label);
            WriteTime(json, "licenseExpiresAt", c.LicenseExpiresAt);
            json.WritePropertyName("licenseVariables");
            VariablesJson.Write(json, c.LicenseVariables);
            json.WritePropertyName("appVariables");
            VariablesJson.Write(json, c.AppVariables);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The armored, signed file text.</summary>
    public static string Write(OfflineFileContent content, Ed25519Signer signer)
    {
        var p = Convert.ToBase64String(Payload(content));
        var signature = Convert.ToBase64String(signer.Sign(Encoding.ASCII.GetBytes(p)));
        var text = new StringBuilder(p.Length + 512);
        text.Append("-----BEGIN AUTHFORGE LICENSE-----\n");
        text.Append("Version: 1\n");
        text.Append("App-Id: ").Append(content.AppId).Append('\n');
        text.Append("License: ").Append(content.LicenseKey).Append('\n');
        text.Append("Key-Id: ").Append(content.KeyId).Append('\n');
        text.Append("Expires-At: ").Append(content.ExpiresAt is { } at ? Time(at) : "never").Append('\n');
        text.Append('\n');
        Wrap(text, p);
        text.Append("-----END AUTHFORGE LICENSE-----\n");
        text.Append("-----BEGIN AUTHFORGE SIGNATURE-----\n");
        Wrap(text, signature);
        text.Append("-----END AUTHFORGE SIGNATURE-----\n");
        return text.ToString();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } at) json.WriteString(name, Time(at));
        else json.WriteNull(name);
    }

    private static void Wrap(StringBuilder text, string value)
    {
        for (var i = 0; i < value.Length; i += LineLength) text.Append(value, i, Math.Min(LineLength, value.Length - i)).Append('\n');
    }
}
