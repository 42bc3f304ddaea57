using System.Globalization;
using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Crypto.Parameters;
using OrleansLicensing.Sdk.Protocol;

namespace OrleansLicensing.Sdk.Offline;

/// <summary>
/// Verifies an offline <c>.authforge</c> license file with nothing but the app's Ed25519 public key(s), in the
/// order of docs/protocol.md §18.3: <c>bad_armor</c> → <c>bad_signature</c> → <c>unsupported_version</c> →
/// <c>malformed_payload</c> → <c>wrong_app</c> → <c>expired</c> → <c>hwid_mismatch</c>. Usable without a
/// <see cref="LicensingClient"/> (an app that never goes online); the client's
/// <see cref="LicensingClient.VerifyLicenseFile(string)"/> uses it with the client's options.
/// </summary>
public static class OfflineLicenseVerifier
{
    private const string PayloadType = "authforge-license";
    private static readonly IReadOnlyDictionary<string, JsonElement> NoVariables = new Dictionary<string, JsonElement>();

    /// <summary>
    /// Verifies <paramref name="fileText"/> for <paramref name="appId"/> on the machine <paramref name="hwid"/> at
    /// <paramref name="now"/>. <paramref name="publicKeys"/> are standard base64 of 32-byte Ed25519 keys; an
    /// entry containing commas is split (as <see cref="LicensingClientOptions.PublicKeys"/>); the file verifies
    /// when its signature verifies under any of them.
    /// </summary>
    /// <exception cref="ArgumentException">No usable public key, or an empty <paramref name="appId"/>.</exception>
    public static OfflineLicenseResult Verify(string? fileText, string appId, IEnumerable<string> publicKeys, string? hwid, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(appId)) throw new ArgumentException("The app id is required.", nameof(appId));
        return Verify(fileText, appId, ClientSettings.ParsePublicKeys(publicKeys, nameof(publicKeys)), hwid, now);
    }

    internal static OfflineLicenseResult Verify(string? fileText, string appId, IReadOnlyList<Ed25519PublicKeyParameters> trusted, string? hwid, DateTimeOffset now)
    {
        var armor = LicenseFileArmor.Read(fileText);
        if (armor is not { } file) return OfflineLicenseResult.Failure(OfflineLicenseErrorCodes.BadArmor);

        if (file.Signature.Length != 64 || !ResponseSignature.VerifyEd25519(trusted, file.Payload, file.Signature))
        {
            return OfflineLicenseResult.Failure(OfflineLicenseErrorCodes.BadSignature);
        }

        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(file.PayloadBytes);
            payload = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return OfflineLicenseResult.Failure(OfflineLicenseErrorCodes.MalformedPayload);
        }
        if (payload.ValueKind != JsonValueKind.Object) return OfflineLicenseResult.Failure(OfflineLicenseErrorCodes.MalformedPayload);

        // §18.2/§18.3: "the number 1" — any JSON number whose value is 1 (1, 1.0, 1e0; an integer as §2.2
        // defines it); true (which some languages equate with 1) and "1" are not versions.
        if (!payload.TryGetProperty("v", out var version) || !version.TryGetInteger(out var v) || v != 1)
        {
            return OfflineLicenseResult.Failure(OfflineLicenseErrorCodes.UnsupportedVersion);
        }

        var license = ReadPayload(payload);
        if (license is null) return OfflineLicenseResult.Failure(OfflineLicenseErrorCodes.MalformedPayload);

        if (!string.Equals(license.AppId, appId, StringComparison.Ordinal)) return OfflineLicenseResult.Failure(OfflineLicenseErrorCodes.WrongApp);

        if (license.ExpiresAt is { } expiresAt && expiresAt <= now) return OfflineLicenseResult.Failure(OfflineLicenseErrorCodes.Expired);

        if (!license.AnyMachine)
        {
            var local = hwid?.Trim() ?? "";
            if (local.Length == 0 || !license.Hwids.Contains(local, StringComparer.Ordinal))
            {
                return OfflineLicenseResult.Failure(OfflineLicenseErrorCodes.HwidMismatch);
            }
        }
        return OfflineLicenseResult.Success(license);
    }

    /// <summary>The payload of §18.2, or null when its shape is wrong.</summary>
    private static OfflineLicense? ReadPayload(JsonElement p)
    {
        if (!TryString(p, "typ", out var typ) || typ != PayloadType) return null;
        if (!TryString(p, "appId", out var appId)
            || !TryString(p, "licenseKey", out var licenseKey)
            || !TryString(p, "jti", out var jti)
            || !TryString(p, "kid", out var kid)
            || !TryString(p, "issuedAt", out var issuedAtText)
            || !TryTime(issuedAtText, out var issuedAt))
        {
            return null;
        }

        // expiresAt must be present: null means never, absence is malformed.
        if (!p.TryGetProperty("expiresAt", out var expiresElement)) return null;
        DateTimeOffset? expiresAt = null;
        if (expiresElement.ValueKind != JsonValueKind.Null)
        {
            if (!expiresElement.TryGetText(out var expiresText) || !TryTime(expiresText, out var e)) return null;
            expiresAt = e;
        }

        if (!p.TryGetProperty("hwid", out var hwid) || hwid.ValueKind != JsonValueKind.Object) return null;
        if (!TryString(hwid, "mode", out var mode)) return null;
        var anyMachine = false;
        var hwids = new List<string>();
        if (mode == "any")
        {
            anyMachine = true;
        }
        else if (mode == "bound")
        {
            if (!hwid.TryGetProperty("hwids", out var list) || list.ValueKind != JsonValueKind.Array) return null;
            foreach (var item in list.EnumerateArray())
            {
                if (!item.TryGetText(out var bound) || bound.Length == 0) return null;
                hwids.Add(bound);
            }
            if (hwids.Count == 0) return null;
        }
        else
        {
            return null;
        }

        string? label = null;
        if (p.TryGetProperty("label", out var labelElement) && labelElement.ValueKind != JsonValueKind.Null)
        {
            if (!labelElement.TryGetText(out var labelText)) return null;
            label = labelText;
        }

        DateTimeOffset? licenseExpiresAt = null;
        if (p.TryGetProperty("licenseExpiresAt", out var licenseExpires) && licenseExpires.ValueKind != JsonValueKind.Null)
        {
            if (!licenseExpires.TryGetText(out var licenseExpiresText) || !TryTime(licenseExpiresText, out var le)) return null;
            licenseExpiresAt = le;
        }

        var licenseVariables = ReadVariables(p, "licenseVariables");
        var appVariables = ReadVariables(p, "appVariables");
        if (licenseVariables is null || appVariables is null) return null;

        return new OfflineLicense(appId, licenseKey, jti, kid, issuedAt, expiresAt, anyMachine, hwids, label, licenseExpiresAt, licenseVariables, appVariables, p);
    }

    private static bool TryString(JsonElement obj, string name, out string value)
    {
        value = "";
        if (!obj.TryGetProperty(name, out var element) || !element.TryGetText(out value)) return false;
        return value.Length > 0;
    }

    private static bool TryTime(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    /// <summary>An absent or null member is no variables; anything but an object is malformed (null returned).</summary>
    private static IReadOnlyDictionary<string, JsonElement>? ReadVariables(JsonElement p, string name)
    {
        if (!p.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return NoVariables;
        if (element.ValueKind != JsonValueKind.Object) return null;
        var variables = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject()) variables[property.Name] = property.Value.Clone();
        return variables;
    }
}
