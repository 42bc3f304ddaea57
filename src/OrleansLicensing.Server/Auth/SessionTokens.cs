using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// The body of a session token (docs/protocol.md §5.2). <see cref="ExpiresIn"/> always equals
/// <see cref="Exp"/>; both are written.
/// </summary>
/// <param name="Sid">Session id: 32 lowercase hex characters, created at validate (<see cref="SessionTokenCodec.NewSid"/>).</param>
/// <param name="AppId">The app.</param>
/// <param name="LicenseKey">The canonical license key.</param>
/// <param name="Hwid">The (trimmed) HWID the session was validated for.</param>
/// <param name="Ttl">Effective TTL in seconds, within [3600, 604800].</param>
/// <param name="Iat">Unix time this token was issued.</param>
/// <param name="Exp">Unix time the session expires; equals the payload's <c>expiresIn</c>.</param>
/// <param name="SigKey">
/// <c>hmac-v2</c> apps only: 64 lowercase hex characters (<see cref="SessionTokenCodec.NewSigKey"/>);
/// null (and omitted from the token) for other schemes. A verified token may carry an empty
/// string here; the heartbeat's H7 check rejects it for <c>hmac-v2</c> apps.
/// </param>
public sealed record SessionTokenBody(
    string Sid,
    string AppId,
    string LicenseKey,
    string Hwid,
    long Ttl,
    long Iat,
    long Exp,
    string? SigKey)
{
    /// <summary>Same value as <see cref="Exp"/> (absolute Unix time, not a duration).</summary>
    public long ExpiresIn => Exp;

    /// <summary>Never prints <see cref="SigKey"/>.</summary>
    public override string ToString() =>
        $"SessionTokenBody {{ Sid = {Sid}, AppId = {AppId}, LicenseKey = {LicenseKey}, Hwid = {Hwid}, Ttl = {Ttl}, Iat = {Iat}, Exp = {Exp}, SigKey = {(SigKey is null ? "null" : "***")} }}";
}

/// <summary>
/// Issues and verifies session tokens (docs/protocol.md §5):
/// <c>base64url(body JSON) ‖ "." ‖ base64url(HMAC-SHA256(UTF-8(secret), ASCII(first segment)))</c>,
/// both segments without padding. The first secret signs; a token whose MAC matches any secret
/// verifies, so a rotated-out secret keeps working for tokens it issued.
/// </summary>
public sealed class SessionTokenCodec
{
    /// <summary>Longest token accepted (after trimming), in characters.</summary>
    public const int MaxTokenLength = 4096;

    /// <summary>Smallest accepted <c>ttl</c> in seconds.</summary>
    public const long MinTtl = 3600;

    /// <summary>Largest accepted <c>ttl</c> in seconds.</summary>
    public const long MaxTtl = 604800;

    /// <summary>Length of the MAC segment: 32 bytes in unpadded base64url.</summary>
    public const int MacLength = 43;

    private static readonly SearchValues<char> Base64UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private readonly byte[][] _keys;

    /// <summary>Creates a codec for the configured secrets, in order: the first signs, all verify.</summary>
    /// <exception cref="ArgumentException">No secret, or an empty one.</exception>
    public SessionTokenCodec(IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (secrets.Count == 0)
        {
            throw new ArgumentException("At least one session-token secret is required.", nameof(secrets));
        }
        _keys = new byte[secrets.Count][];
        for (var i = 0; i < secrets.Count; i++)
        {
            if (string.IsNullOrEmpty(secrets[i]))
            {
                throw new ArgumentException($"Session-token secret {i} is empty.", nameof(secrets));
            }
            _keys[i] = Encoding.UTF8.GetBytes(secrets[i]);
        }
    }

    /// <summary>A new session id: 128 random bits as 32 lowercase hex characters.</summary>
    public static string NewSid() => RandomHex(16);

    /// <summary>A new <c>hmac-v2</c> <c>sigKey</c>: 32 random bytes as 64 lowercase hex characters.</summary>
    public static string NewSigKey() => RandomHex(32);

    /// <summary>
    /// The token for <paramref name="body"/>, MAC'd with the first secret. Keys in the order
    /// <c>sid, appId, licenseKey, hwid, ttl, iat, exp, expiresIn</c>, then <c>sigKey</c> when not null.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="SessionTokenBody.Ttl"/> is outside [3600, 604800]: such a token would never verify.</exception>
    public string Issue(SessionTokenBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Ttl is < MinTtl or > MaxTtl)
        {
            throw new ArgumentOutOfRangeException(nameof(body), body.Ttl, $"ttl must be within [{MinTtl}, {MaxTtl}].");
        }

        using var json = new CompactJsonWriter(512);
        json.Raw("{\"sid\":"u8);
        json.String(body.Sid);
        json.Raw(",\"appId\":"u8);
        json.String(body.AppId);
        json.Raw(",\"licenseKey\":"u8);
        json.String(body.LicenseKey);
        json.Raw(",\"hwid\":"u8);
        json.String(body.Hwid);
        json.Raw(",\"ttl\":"u8);
        json.Integer(body.Ttl);
        json.Raw(",\"iat\":"u8);
        json.Integer(body.Iat);
        json.Raw(",\"exp\":"u8);
        json.Integer(body.Exp);
        json.Raw(",\"expiresIn\":"u8);
        json.Integer(body.ExpiresIn);
        if (body.SigKey is not null)
        {
            json.Raw(",\"sigKey\":"u8);
            json.String(body.SigKey);
        }
        json.Raw("}"u8);

        var bodyLength = Base64Url.GetEncodedLength(json.Written.Length);
        var tokenLength = bodyLength + 1 + MacLength;
        var token = ArrayPool<byte>.Shared.Rent(tokenLength);
        try
        {
            var ascii = token.AsSpan(0, tokenLength);
            Base64Url.EncodeToUtf8(json.Written, ascii[..bodyLength]);
            ascii[bodyLength] = (byte)'.';
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(_keys[0], ascii[..bodyLength], mac);
            Base64Url.EncodeToUtf8(mac, ascii[(bodyLength + 1)..]);
            return Encoding.ASCII.GetString(ascii);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(token);
        }
    }

    /// <summary>
    /// The MAC segment for a first segment under the signing (first) secret: 43 characters of
    /// unpadded base64url.
    /// </summary>
    public string ComputeMac(string firstSegment)
    {
        ArgumentNullException.ThrowIfNull(firstSegment);
        Span<byte> mac = stackalloc byte[MacLength];
        if (!TryComputeMac(_keys[0], firstSegment, mac))
        {
            throw new ArgumentException("A first segment is base64url text and therefore ASCII.", nameof(firstSegment));
        }
        return Encoding.ASCII.GetString(mac);
    }

    /// <summary>
    /// True when <paramref name="token"/> is valid for <paramref name="appId"/> at
    /// <paramref name="nowUnix"/> (docs/protocol.md §5.4): after trimming, two non-empty base64url
    /// segments joined by one <c>.</c>, at most 4096 characters; a MAC equal (in constant time) to
    /// the MAC of the first segment under any configured secret; a first segment that decodes to a
    /// JSON object with every required key of the right type (integers may be written with a zero
    /// fraction, §2.2), <c>ttl</c> within [3600, 604800], <c>exp == expiresIn</c>; the same
    /// <c>appId</c>; and <c>exp &gt; nowUnix</c>. Any failure is simply false (the caller answers
    /// <c>session_expired</c>).
    /// </summary>
    public bool TryVerify(string? token, string appId, long nowUnix, [NotNullWhen(true)] out SessionTokenBody? body)
    {
        ArgumentNullException.ThrowIfNull(appId);
        body = null;
        if (token is null)
        {
            return false;
        }
        var text = token.AsSpan().Trim();
        if (text.IsEmpty || text.Length > MaxTokenLength)
        {
            return false;
        }
        var dot = text.IndexOf('.');
        if (dot <= 0 || dot == text.Length - 1)
        {
            return false;
        }
        var first = text[..dot];
        var mac = text[(dot + 1)..];
        // Neither '.' nor '=' nor white space is in the alphabet: this also rejects a second dot and padding.
        if (first.ContainsAnyExcept(Base64UrlAlphabet) || mac.ContainsAnyExcept(Base64UrlAlphabet))
        {
            return false;
        }
        if (!MacMatchesAnySecret(first, mac))
        {
            return false;
        }

        Span<byte> json = stackalloc byte[Base64Url.GetMaxDecodedLength(MaxTokenLength)];
        if (!Base64Url.TryDecodeFromChars(first, json, out var jsonLength))
        {
            return false;
        }
        if (!TryReadBody(json[..jsonLength], out var candidate))
        {
            return false;
        }
        if (!string.Equals(candidate.AppId, appId, StringComparison.Ordinal) || candidate.Exp <= nowUnix)
        {
            return false;
        }
        body = candidate;
        return true;
    }

    private bool MacMatchesAnySecret(ReadOnlySpan<char> first, ReadOnlySpan<char> mac)
    {
        if (mac.Length != MacLength)
        {
            return false;
        }
        Span<byte> provided = stackalloc byte[MacLength];
        Ascii.FromUtf16(mac, provided, out _);
        Span<byte> expected = stackalloc byte[MacLength];
        var matches = false;
        // Every secret is tried, so the time taken does not tell which one matched.
        foreach (var key in _keys)
        {
            matches |= TryComputeMac(key, first, expected) && CryptographicOperations.FixedTimeEquals(expected, provided);
        }
        return matches;
    }

    private static bool TryComputeMac(byte[] key, ReadOnlySpan<char> first, Span<byte> macText)
    {
        byte[]? rented = null;
        var ascii = first.Length <= MaxTokenLength ? stackalloc byte[MaxTokenLength] : (rented = ArrayPool<byte>.Shared.Rent(first.Length));
        try
        {
            if (Ascii.FromUtf16(first, ascii, out var written) != OperationStatus.Done)
            {
                return false;
            }
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(key, ascii[..written], mac);
            Base64Url.EncodeToUtf8(mac, macText);
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    [Flags]
    private enum Seen
    {
        None = 0,
        Sid = 1 << 0,
        AppId = 1 << 1,
        LicenseKey = 1 << 2,
        Hwid = 1 << 3,
        Ttl = 1 << 4,
        Iat = 1 << 5,
        Exp = 1 << 6,
        ExpiresIn = 1 << 7,
        SigKey = 1 << 8,
        Required = Sid | AppId | LicenseKey | Hwid | Ttl | Iat | Exp | ExpiresIn,
    }

    private static bool TryReadBody(ReadOnlySpan<byte> json, [NotNullWhen(true)] out SessionTokenBody? body)
    {
        body = null;
        string? sid = null, appId = null, licenseKey = null, hwid = null, sigKey = null;
        long ttl = 0, iat = 0, exp = 0, expiresIn = 0;
        var seen = Seen.None;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                Seen key;
                bool ok;
                if (reader.ValueTextEquals("sid"u8)) { key = Seen.Sid; ok = ReadString(ref reader, out sid); }
                else if (reader.ValueTextEquals("appId"u8)) { key = Seen.AppId; ok = ReadString(ref reader, out appId); }
                else if (reader.ValueTextEquals("licenseKey"u8)) { key = Seen.LicenseKey; ok = ReadString(ref reader, out licenseKey); }
                else if (reader.ValueTextEquals("hwid"u8)) { key = Seen.Hwid; ok = ReadString(ref reader, out hwid); }
                else if (reader.ValueTextEquals("ttl"u8)) { key = Seen.Ttl; ok = ReadInteger(ref reader, out ttl); }
                else if (reader.ValueTextEquals("iat"u8)) { key = Seen.Iat; ok = ReadInteger(ref reader, out iat); }
                else if (reader.ValueTextEquals("exp"u8)) { key = Seen.Exp; ok = ReadInteger(ref reader, out exp); }
                else if (reader.ValueTextEquals("expiresIn"u8)) { key = Seen.ExpiresIn; ok = ReadInteger(ref reader, out expiresIn); }
                else if (reader.ValueTextEquals("sigKey"u8)) { key = Seen.SigKey; ok = ReadString(ref reader, out sigKey); }
                else
                {
                    // Unknown keys are ignored (a later body layout may add some).
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                if (!ok || (seen & key) != 0)
                {
                    return false;
                }
                seen |= key;
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 or surrogates inside a string.
            return false;
        }

        if ((seen & Seen.Required) != Seen.Required || ttl is < MinTtl or > MaxTtl || exp != expiresIn)
        {
            return false;
        }
        body = new SessionTokenBody(sid!, appId!, licenseKey!, hwid!, ttl, iat, exp, sigKey);
        return true;
    }

    private static bool ReadString(ref Utf8JsonReader reader, out string? value)
    {
        value = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return false;
        }
        value = reader.GetString();
        return value is not null;
    }

    /// <summary>An integer per §2.2: a JSON number with an integral value (<c>3600</c> or <c>3600.0</c>).</summary>
    private static bool ReadInteger(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
        {
            return false;
        }
        if (reader.TryGetInt64(out value))
        {
            return true;
        }
        if (reader.TryGetDecimal(out var number) && number == decimal.Truncate(number) && number is >= long.MinValue and <= long.MaxValue)
        {
            value = (long)number;
            return true;
        }
        return false;
    }

    private static string RandomHex(int bytes)
    {
        Span<byte> random = stackalloc byte[bytes];
        RandomNumberGenerator.Fill(random);
        var hex = Convert.ToHexStringLower(random);
        CryptographicOperations.ZeroMemory(random);
        return hex;
    }
}
