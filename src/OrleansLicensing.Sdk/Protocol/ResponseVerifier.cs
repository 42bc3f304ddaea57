using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrleansLicensing.Sdk.Protocol;

/// <summary>Steps R4–R12 of §17.4 for a success envelope of validate or heartbeat.</summary>
internal static class ResponseVerifier
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoVariables = new Dictionary<string, JsonElement>();

    /// <summary>
    /// Verifies <paramref name="envelope"/> (already past R1–R3) for a request sent with <paramref name="nonce"/>.
    /// <paramref name="hmacMaterial"/> is what the HMAC key is derived from: the app secret, or for an
    /// <c>hmac-v2</c> heartbeat the <c>sigKey</c> of the token that was sent. Throws a permanent
    /// <see cref="LicensingException"/> with the first failing step's code.
    /// </summary>
    public static SessionState Verify(JsonElement envelope, string nonce, ClientSettings settings, string hmacMaterial, SessionState? previous, ResponseMeta meta)
    {
        LicensingException Fail(string code) => new(code, meta.HttpStatus, meta.RetryAfter, meta.RequestId);

        // R4
        if (!TryNonEmptyString(envelope, "payload", out var p)) throw Fail(LicensingErrorCodes.MissingPayload);
        if (!TryNonEmptyString(envelope, "signature", out var signature)) throw Fail(LicensingErrorCodes.MissingSignature);

        // R5
        var payload = DecodePayload(p) ?? throw Fail(LicensingErrorCodes.InvalidPayload);

        // R6: ordinal, no trimming.
        if (!payload.TryGetProperty("nonce", out var echoed) || !echoed.TryGetText(out var echoedText) || !string.Equals(echoedText, nonce, StringComparison.Ordinal))
        {
            throw Fail(LicensingErrorCodes.NonceMismatch);
        }

        // R7: the configured scheme only; an HMAC signature never satisfies an Ed25519 client.
        byte[]? hmacKey = null;
        bool valid;
        if (settings.Scheme == SigningScheme.Ed25519)
        {
            valid = ResponseSignature.VerifyEd25519(settings.TrustedKeys, p, signature);
        }
        else
        {
            hmacKey = ResponseSignature.DeriveHmacKey(hmacMaterial, nonce);
            valid = ResponseSignature.VerifyHmac(hmacKey, p, signature);
        }
        if (!valid) throw Fail(LicensingErrorCodes.SignatureMismatch);

        // R8
        if (!TryNonEmptyString(payload, "sessionToken", out var token)) throw Fail(LicensingErrorCodes.MissingSessionToken);

        // R9: absent (or null) or a string.
        string? keyId = null;
        if (envelope.TryGetProperty("keyId", out var keyIdElement) && keyIdElement.ValueKind != JsonValueKind.Null)
        {
            if (!keyIdElement.TryGetText(out var keyIdText)) throw Fail(LicensingErrorCodes.InvalidKeyId);
            keyId = keyIdText;
        }

        // R10: token exp, token expiresIn, payload expiresIn.
        var tokenBody = DecodeTokenBody(token);
        long? expiry = null;
        if (tokenBody is { } body)
        {
            expiry = ReadInteger(body, "exp") ?? ReadInteger(body, "expiresIn");
        }
        expiry ??= ReadInteger(payload, "expiresIn");
        if (expiry is null) throw Fail(LicensingErrorCodes.MissingExpiresIn);
        DateTimeOffset expiresAt;
        try
        {
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(expiry.Value);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw Fail(LicensingErrorCodes.MissingExpiresIn);
        }

        // R11
        string? sigKey = null;
        if (tokenBody is { } tb && tb.Text("sigKey") is { Length: > 0 } s)
        {
            sigKey = s;
        }
        if (settings.Scheme == SigningScheme.HmacV2 && sigKey is null) throw Fail(LicensingErrorCodes.MissingSigKey);

        // R12 (the caller swaps the state in atomically).
        return new SessionState(
            token,
            expiresAt,
            p,
            signature,
            keyId,
            payload,
            Variables(payload, "appVariables") ?? previous?.AppVariables ?? NoVariables,
            Variables(payload, "licenseVariables") ?? previous?.LicenseVariables ?? NoVariables,
            sigKey,
            hmacKey,
            ReadTimestamp(payload, "licenseExpiresAt"),
            ReadCount(payload, "maxHwidSlots"),
            ReadCount(payload, "hwidCount"),
            payload.Text("licenseLabel"),
            payload.TryGetProperty("unlimitedHwidSlots", out var unlimited) && unlimited.ValueKind is JsonValueKind.True or JsonValueKind.False ? unlimited.GetBoolean() : null,
            payload.Text("requestId") ?? meta.RequestId);
    }

    /// <summary>Local heartbeat check: the stored signature still verifies over the stored P.</summary>
    public static bool StoredSignatureVerifies(SessionState state, ClientSettings settings) =>
        settings.Scheme == SigningScheme.Ed25519
            ? ResponseSignature.VerifyEd25519(settings.TrustedKeys, state.Payload, state.Signature)
            : state.HmacKey is { } key && ResponseSignature.VerifyHmac(key, state.Payload, state.Signature);

    /// <summary>R5: standard base64 (missing padding tolerated) of a UTF-8 JSON object.</summary>
    internal static JsonElement? DecodePayload(string p)
    {
        var text = p.Trim();
        if (text.Length % 4 == 1) return null;
        if (text.Length % 4 != 0) text += new string('=', 4 - text.Length % 4);
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
        return ParseObject(bytes);
    }

    /// <summary>The JSON object in a session token's first segment (base64url, padding tolerated), or null.</summary>
    internal static JsonElement? DecodeTokenBody(string token)
    {
        var first = token.Trim().Split('.')[0].TrimEnd('=');
        if (first.Length == 0 || first.Length % 4 == 1) return null;
        var b64 = first.Replace('-', '+').Replace('_', '/');
        b64 += new string('=', (4 - b64.Length % 4) % 4);
        try
        {
            return ParseObject(Convert.FromBase64String(b64));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static JsonElement? ParseObject(byte[] utf8)
    {
        try
        {
            // Reject invalid UTF-8 explicitly: the payload is defined as UTF-8 JSON.
            _ = new UTF8Encoding(false, true).GetCharCount(utf8);
            using var document = JsonDocument.Parse(utf8);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or ArgumentException)
        {
            return null;
        }
    }

    private static bool TryNonEmptyString(JsonElement element, string name, out string value)
    {
        value = "";
        if (element.Text(name) is { Length: > 0 } text)
        {
            value = text;
            return true;
        }
        return false;
    }

    /// <summary>A count (slots, bound HWIDs): an integer within <see cref="int"/>, or absent; a larger value is not wrapped into a wrong one.</summary>
    private static int? ReadCount(JsonElement element, string name) =>
        ReadInteger(element, name) is { } value && value is >= int.MinValue and <= int.MaxValue ? (int)value : null;

    /// <summary>An integer member (§2.2, <see cref="JsonText.TryGetInteger"/>), or null when absent or not an integer.</summary>
    internal static long? ReadInteger(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInteger(out var integer) ? integer : null;

    private static DateTimeOffset? ReadTimestamp(JsonElement element, string name) =>
        element.Text(name) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;

    private static Dictionary<string, JsonElement>? Variables(JsonElement payload, string name)
    {
        if (!payload.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Object) return null;
        var variables = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject()) variables[property.Name] = property.Value.Clone();
        return variables;
    }
}
