using System.Text.Json;
using System.Text.Unicode;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Reads <c>/auth/*</c> request bodies strictly (docs/protocol.md §2.2, §3.3) with a
/// <see cref="Utf8JsonReader"/>: no model binding, so every problem is reported with the exact
/// <c>details</c> text the protocol fixes. Body-level problems stop reading with one entry
/// (duplicate keys: one per key); otherwise every field is checked, in the endpoint's
/// request-table order, and contributes at most its first broken rule.
/// </summary>
public static class AuthRequestReader
{
    /// <summary>The largest accepted body (docs/protocol.md §1.3); longer bodies are rejected before parsing.</summary>
    public const int MaxBodyBytes = 16384;

    private const string BodyTooLarge = "body: too large (max 16384 bytes)";
    private const string BodyInvalidJson = "body: invalid JSON";
    private const string BodyNotAnObject = "body: must be a JSON object";

    private static readonly StringRule AppIdRule = new(Trim: false, MaxLength: 64);
    private static readonly StringRule AppSecretRule = new(Trim: false, MaxLength: 256);
    private static readonly StringRule LicenseKeyRule = new(Trim: true);
    private static readonly StringRule HwidRule = new(Trim: true, MaxLength: 256);
    private static readonly StringRule NonceRule = new(Trim: false, MaxLength: 128, MinLength: 8, VisibleAscii: true);
    private static readonly StringRule SessionTokenRule = new(Trim: true);

    private static readonly FieldNames ValidateFields = new(["appId", "appSecret", "licenseKey", "hwid", "nonce", "ttlSeconds"]);
    private static readonly FieldNames HeartbeatFields = new(["appId", "sessionToken", "nonce", "hwid"]);
    private static readonly FieldNames SelfBanFields =
        new(["appId", "sessionToken", "appSecret", "licenseKey", "hwid", "nonce", "revokeLicense", "blacklistHwid", "blacklistIp"]);

    /// <summary>The <c>details</c> of a body over <see cref="MaxBodyBytes"/>: <c>["body: too large (max 16384 bytes)"]</c>.</summary>
    public static IReadOnlyList<string> BodyTooLargeDetails { get; } = [BodyTooLarge];

    /// <summary>Whether a declared <c>Content-Length</c> already exceeds <see cref="MaxBodyBytes"/>.</summary>
    /// <param name="contentLength">The request's <c>Content-Length</c>, if any.</param>
    /// <returns>Whether the body is too large without reading it.</returns>
    public static bool ExceedsMaxBodySize(long? contentLength) => contentLength > MaxBodyBytes;

    /// <summary>
    /// Reads a request body of at most <see cref="MaxBodyBytes"/> bytes, whatever its
    /// <c>Content-Type</c>. Stops reading as soon as the body is known to be too large.
    /// </summary>
    /// <param name="request">The HTTP request.</param>
    /// <param name="cancellationToken">Cancels the read (normally <c>HttpContext.RequestAborted</c>).</param>
    /// <returns>The body, or <see langword="null"/> when it is too large (answer with <see cref="BodyTooLargeDetails"/>).</returns>
    public static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ExceedsMaxBodySize(request.ContentLength)) return null;

        // One byte beyond the declared (or maximum) length, so that the end of the body is seen.
        var buffer = new byte[request.ContentLength is { } declared ? (int)declared + 1 : MaxBodyBytes + 1];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length) Array.Resize(ref buffer, MaxBodyBytes + 1);
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0) break;
            length += read;
            if (length > MaxBodyBytes) return null;
        }
        return buffer.AsMemory(0, length);
    }

    /// <summary>Reads a <c>POST /auth/validate</c> body (docs/protocol.md §8.1, steps V1–V2).</summary>
    /// <param name="body">The raw body bytes.</param>
    /// <returns>The request or the <c>details</c>, and the <c>appId</c> for the failure mode.</returns>
    public static AuthRequestReadResult<ValidateRequest> ReadValidate(ReadOnlySpan<byte> body)
    {
        var parsed = TopLevel.Parse(body, ValidateFields);
        if (parsed.Problems is { } problems) return AuthRequestReadResult<ValidateRequest>.Invalid(problems, parsed.AppIdForMode);

        var fields = new FieldChecker(parsed);
        var appId = fields.String("appId", AppIdRule);
        var appSecret = fields.String("appSecret", AppSecretRule);
        var licenseKey = fields.String("licenseKey", LicenseKeyRule);
        var hwid = fields.String("hwid", HwidRule);
        var nonce = fields.String("nonce", NonceRule);
        var ttlSeconds = fields.OptionalInteger("ttlSeconds");
        return fields.Details.Count > 0
            ? AuthRequestReadResult<ValidateRequest>.Invalid(fields.Details, parsed.AppIdForMode)
            : AuthRequestReadResult<ValidateRequest>.Valid(new ValidateRequest(appId!, appSecret!, licenseKey!, hwid!, nonce!, ttlSeconds), parsed.AppIdForMode);
    }

    /// <summary>Reads a <c>POST /auth/heartbeat</c> body (docs/protocol.md §9.1, steps H1–H2).</summary>
    /// <param name="body">The raw body bytes.</param>
    /// <returns>The request or the <c>details</c>, and the <c>appId</c> for the failure mode.</returns>
    public static AuthRequestReadResult<HeartbeatRequest> ReadHeartbeat(ReadOnlySpan<byte> body)
    {
        var parsed = TopLevel.Parse(body, HeartbeatFields);
        if (parsed.Problems is { } problems) return AuthRequestReadResult<HeartbeatRequest>.Invalid(problems, parsed.AppIdForMode);

        var fields = new FieldChecker(parsed);
        var appId = fields.String("appId", AppIdRule);
        var sessionToken = fields.String("sessionToken", SessionTokenRule);
        var nonce = fields.String("nonce", NonceRule);
        var hwid = fields.String("hwid", HwidRule);
        return fields.Details.Count > 0
            ? AuthRequestReadResult<HeartbeatRequest>.Invalid(fields.Details, parsed.AppIdForMode)
            : AuthRequestReadResult<HeartbeatRequest>.Valid(new HeartbeatRequest(appId!, sessionToken!, nonce!, hwid!), parsed.AppIdForMode);
    }

    /// <summary>
    /// Reads a <c>POST /auth/selfban</c> body (docs/protocol.md §10.1, steps SP1–SP2 / SK1–SK2). The
    /// form is post-session when <c>sessionToken</c> is present and not <c>null</c> (whatever its type);
    /// fields the form ignores are not checked.
    /// </summary>
    /// <param name="body">The raw body bytes.</param>
    /// <returns>
    /// A <see cref="PostSessionSelfBanRequest"/> or <see cref="PreSessionSelfBanRequest"/>, or the
    /// <c>details</c>; and the <c>appId</c> for the failure mode.
    /// </returns>
    public static AuthRequestReadResult<SelfBanRequest> ReadSelfBan(ReadOnlySpan<byte> body)
    {
        var parsed = TopLevel.Parse(body, SelfBanFields);
        if (parsed.Problems is { } problems) return AuthRequestReadResult<SelfBanRequest>.Invalid(problems, parsed.AppIdForMode);

        var fields = new FieldChecker(parsed);
        SelfBanRequest request;
        if (parsed.IsPresent("sessionToken"))
        {
            var appId = fields.String("appId", AppIdRule);
            var sessionToken = fields.String("sessionToken", SessionTokenRule);
            var hwid = fields.String("hwid", HwidRule);
            var revokeLicense = fields.Boolean("revokeLicense", defaultValue: true);
            var blacklistHwid = fields.Boolean("blacklistHwid", defaultValue: true);
            var blacklistIp = fields.Boolean("blacklistIp", defaultValue: true);
            request = new PostSessionSelfBanRequest(appId!, sessionToken!, hwid!, revokeLicense, blacklistHwid, blacklistIp);
        }
        else
        {
            var appId = fields.String("appId", AppIdRule);
            var appSecret = fields.String("appSecret", AppSecretRule);
            var licenseKey = fields.String("licenseKey", LicenseKeyRule);
            var hwid = fields.String("hwid", HwidRule);
            var nonce = fields.String("nonce", NonceRule);
            var revokeLicense = fields.Boolean("revokeLicense", defaultValue: false);
            var blacklistHwid = fields.Boolean("blacklistHwid", defaultValue: true);
            var blacklistIp = fields.Boolean("blacklistIp", defaultValue: true);
            request = new PreSessionSelfBanRequest(appId!, appSecret!, licenseKey!, hwid!, nonce!, revokeLicense, blacklistHwid, blacklistIp);
        }
        return fields.Details.Count > 0
            ? AuthRequestReadResult<SelfBanRequest>.Invalid(fields.Details, parsed.AppIdForMode)
            : AuthRequestReadResult<SelfBanRequest>.Valid(request, parsed.AppIdForMode);
    }

    /// <summary>The rules of a string field, checked in the row order of §3.3.</summary>
    private sealed record StringRule(bool Trim, int MaxLength = int.MaxValue, int MinLength = 1, bool VisibleAscii = false);

    private enum ValueKind { String, Number, True, False, Null, Structure }

    /// <summary>A captured top-level value: the string, or the number's JSON text.</summary>
    private readonly record struct Value(ValueKind Kind, string? Text = null, byte[]? Number = null);

    /// <summary>An endpoint's field names, as strings and as the UTF-8 the reader compares them in.</summary>
    private sealed class FieldNames(string[] names)
    {
        public string[] Names { get; } = names;

        /// <summary>Where <c>appId</c> is among <see cref="Names"/> (every endpoint reads it).</summary>
        public int AppIdIndex { get; } = Array.IndexOf(names, "appId");

        private readonly byte[][] _utf8 = [.. names.Select(System.Text.Encoding.UTF8.GetBytes)];

        /// <summary>The index of the property name under the reader (escaped or not), or -1 for a name the endpoint does not read.</summary>
        public int IndexOf(ref Utf8JsonReader reader)
        {
            for (var i = 0; i < _utf8.Length; i++)
            {
                if (reader.ValueTextEquals(_utf8[i])) return i;
            }
            return -1;
        }
    }

    /// <summary>The top level of a body: a body-level problem, or the endpoint's fields (first occurrences).</summary>
    private sealed class TopLevel
    {
        private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

        private readonly string[] _names;
        private readonly Value[] _values;
        private readonly int[] _counts;

        private TopLevel(IReadOnlyList<string>? problems, string[] names, Value[] values, int[] counts, string? appIdForMode)
        {
            Problems = problems;
            _names = names;
            _values = values;
            _counts = counts;
            AppIdForMode = appIdForMode;
        }

        public IReadOnlyList<string>? Problems { get; }

        public string? AppIdForMode { get; }

        /// <summary>The first occurrence of the field <paramref name="name"/>, if the body has it.</summary>
        public bool TryGet(string name, out Value value)
        {
            var index = Array.IndexOf(_names, name);
            var present = index >= 0 && _counts[index] > 0;
            value = present ? _values[index] : default;
            return present;
        }

        public bool IsPresent(string name) => TryGet(name, out var value) && value.Kind != ValueKind.Null;

        public static TopLevel Parse(ReadOnlySpan<byte> body, FieldNames captured)
        {
            if (body.Length > MaxBodyBytes) return Problem(BodyTooLarge);
            // A leading byte-order mark is tolerated (RFC 8259 §8.1 allows ignoring it).
            if (body.StartsWith(Utf8Bom)) body = body[Utf8Bom.Length..];
            // The reader checks UTF-8 only in strings it is asked to decode; check all of it once.
            if (!Utf8.IsValid(body)) return Problem(BodyInvalidJson);

            try
            {
                // Depth cannot exceed the byte count; the reader keeps no recursion, so this is safe.
                var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxBodyBytes });
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    SkipValue(ref reader);
                    EnsureEnd(ref reader);
                    return Problem(BodyNotAnObject);
                }

                // The endpoint's fields by position (their names are not allocated); any other name is
                // kept only to find its duplicates. `first` orders the duplicates as the body does.
                var names = captured.Names;
                var values = new Value[names.Length];
                var counts = new int[names.Length];
                var first = new int[names.Length];
                Dictionary<string, (int Count, int First)>? others = null;
                var seen = 0;
                var duplicated = false;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var index = captured.IndexOf(ref reader);
                    var other = index < 0 ? reader.GetString()! : null;
                    reader.Read();
                    if (index >= 0)
                    {
                        if (counts[index]++ > 0)
                        {
                            duplicated = true;
                            SkipValue(ref reader);
                            continue;
                        }
                        first[index] = seen++;
                        values[index] = Capture(ref reader);
                        continue;
                    }
                    others ??= new Dictionary<string, (int, int)>(StringComparer.Ordinal);
                    if (others.TryGetValue(other!, out var known))
                    {
                        others[other!] = (known.Count + 1, known.First);
                        duplicated = true;
                    }
                    else
                    {
                        others[other!] = (1, seen++);
                    }
                    SkipValue(ref reader);
                }
                EnsureEnd(ref reader);

                // A duplicated appId names no app for certain: the deployment default mode applies.
                var appIdAt = captured.AppIdIndex;
                var appIdForMode = appIdAt >= 0 && counts[appIdAt] == 1 && values[appIdAt].Kind == ValueKind.String ? values[appIdAt].Text : null;
                var duplicates = duplicated ? Duplicates(names, counts, first, others) : null;
                return new TopLevel(duplicates, names, values, counts, appIdForMode);
            }
            catch (JsonException)
            {
                return Problem(BodyInvalidJson);
            }
            catch (InvalidOperationException)
            {
                // A string escape that is not valid UTF-16 (a lone surrogate such as "\ud800").
                return Problem(BodyInvalidJson);
            }
        }

        /// <summary>One problem per duplicated key, in the order the keys first appear in the body.</summary>
        private static string[] Duplicates(string[] names, int[] counts, int[] first, Dictionary<string, (int Count, int First)>? others) =>
        [
            .. names.Select((name, i) => (Name: name, Count: counts[i], First: first[i]))
                .Concat(others?.Select(o => (Name: o.Key, o.Value.Count, o.Value.First)) ?? [])
                .Where(key => key.Count > 1)
                .OrderBy(key => key.First)
                .Select(key => $"{key.Name}: duplicate key"),
        ];

        private static TopLevel Problem(string problem) => new([problem], [], [], [], null);

        private static Value Capture(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.String => new Value(ValueKind.String, Text: reader.GetString()),
            JsonTokenType.Number => new Value(ValueKind.Number, Number: reader.ValueSpan.ToArray()),
            JsonTokenType.True => new Value(ValueKind.True),
            JsonTokenType.False => new Value(ValueKind.False),
            JsonTokenType.Null => new Value(ValueKind.Null),
            _ => SkipStructure(ref reader),
        };

        private static Value SkipStructure(ref Utf8JsonReader reader)
        {
            SkipValue(ref reader);
            return new Value(ValueKind.Structure);
        }

        /// <summary>
        /// Moves past the current value. Escaped strings inside it are decoded so that a lone
        /// surrogate anywhere in the body makes it invalid JSON, not just in the fields read.
        /// </summary>
        private static void SkipValue(ref Utf8JsonReader reader)
        {
            CheckEscapes(ref reader);
            if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return;
            var depth = reader.CurrentDepth;
            while (reader.Read())
            {
                CheckEscapes(ref reader);
                if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == depth) return;
            }
        }

        private static void CheckEscapes(ref Utf8JsonReader reader)
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped) _ = reader.GetString();
        }

        /// <summary>Nothing but white space may follow the top-level value (the reader throws otherwise).</summary>
        private static void EnsureEnd(ref Utf8JsonReader reader)
        {
            if (reader.Read()) throw new JsonException("More than one top-level value.");
        }
    }

    /// <summary>Checks fields one by one, collecting at most one problem per field.</summary>
    private sealed class FieldChecker(TopLevel parsed)
    {
        public List<string> Details { get; } = [];

        public string? String(string name, StringRule rule)
        {
            if (!parsed.TryGet(name, out var value) || value.Kind == ValueKind.Null) return Fail(name, "required");
            if (value.Kind != ValueKind.String) return Fail(name, "must be a string");

            var text = rule.Trim ? value.Text!.Trim() : value.Text!;
            if (text.Length == 0) return Fail(name, "must not be empty");
            var length = CodePoints(text);
            if (length > rule.MaxLength) return Fail(name, $"too long (max {rule.MaxLength} characters)");
            if (length < rule.MinLength) return Fail(name, $"too short (min {rule.MinLength} characters)");
            if (rule.VisibleAscii && text.AsSpan().ContainsAnyExceptInRange('\x21', '\x7E')) return Fail(name, "invalid characters");
            return text;
        }

        public long? OptionalInteger(string name)
        {
            if (!parsed.TryGet(name, out var value) || value.Kind == ValueKind.Null) return null;
            if (value.Kind == ValueKind.Number && TryReadInteger(value.Number!, out var integer)) return integer;
            Fail(name, "must be an integer");
            return null;
        }

        public bool Boolean(string name, bool defaultValue)
        {
            if (!parsed.TryGet(name, out var value)) return defaultValue;
            switch (value.Kind)
            {
                case ValueKind.Null: return defaultValue;
                case ValueKind.True: return true;
                case ValueKind.False: return false;
                default:
                    Fail(name, "must be a boolean");
                    return defaultValue;
            }
        }

        private string? Fail(string name, string problem)
        {
            Details.Add($"{name}: {problem}");
            return null;
        }

        /// <summary>Length in Unicode code points: a surrogate pair counts once.</summary>
        private static int CodePoints(string text)
        {
            var count = text.Length;
            for (var i = 0; i + 1 < text.Length; i++)
            {
                if (char.IsSurrogatePair(text[i], text[i + 1])) count--;
            }
            return count;
        }
    }

    /// <summary>
    /// Whether a JSON number (already validated by the reader) has an integral value, and that value
    /// saturated to the <see cref="long"/> range. Works on the decimal text, so <c>3600.0</c>,
    /// <c>36e2</c> and <c>1e400</c> are integers and <c>3600.5</c> or <c>1e-400</c> are not, without
    /// floating-point rounding.
    /// </summary>
    internal static bool TryReadInteger(ReadOnlySpan<byte> number, out long value)
    {
        const long ExponentLimit = 1_000_000_000; // far beyond any digit count a 16 KiB body can hold
        value = 0;
        var i = 0;
        var negative = number[0] == '-';
        if (negative) i++;

        var integerStart = i;
        while (i < number.Length && char.IsAsciiDigit((char)number[i])) i++;
        var integerDigits = number[integerStart..i];

        var fractionDigits = ReadOnlySpan<byte>.Empty;
        if (i < number.Length && number[i] == '.')
        {
            var fractionStart = ++i;
            while (i < number.Length && char.IsAsciiDigit((char)number[i])) i++;
            fractionDigits = number[fractionStart..i];
        }

        long exponent = 0;
        if (i < number.Length && number[i] is (byte)'e' or (byte)'E')
        {
            i++;
            var negativeExponent = false;
            if (number[i] is (byte)'+' or (byte)'-')
            {
                negativeExponent = number[i] == '-';
                i++;
            }
            for (; i < number.Length; i++)
            {
                exponent = Math.Min(ExponentLimit, exponent * 10 + (number[i] - '0'));
            }
            if (negativeExponent) exponent = -exponent;
        }

        // The value is digits × 10^scale, digits being the integer and fraction digits together.
        var digitCount = integerDigits.Length + fractionDigits.Length;
        Span<byte> digits = digitCount <= 64 ? stackalloc byte[digitCount] : new byte[digitCount];
        integerDigits.CopyTo(digits);
        fractionDigits.CopyTo(digits[integerDigits.Length..]);

        var first = 0;
        while (first < digitCount && digits[first] == '0') first++;
        if (first == digitCount) return true; // zero, whatever the sign or exponent

        var end = digitCount;
        while (digits[end - 1] == '0') end--;
        var scale = exponent - fractionDigits.Length + (digitCount - end);
        if (scale < 0) return false;

        if (end - first + scale > 19)
        {
            value = negative ? long.MinValue : long.MaxValue;
            return true;
        }
        ulong magnitude = 0; // < 10^19, fits
        for (var d = first; d < end; d++) magnitude = magnitude * 10 + (ulong)(digits[d] - '0');
        for (var s = 0; s < scale; s++) magnitude *= 10;

        value = negative
            ? magnitude >= 1UL << 63 ? long.MinValue : -(long)magnitude
            : magnitude > long.MaxValue ? long.MaxValue : (long)magnitude;
        return true;
    }
}
