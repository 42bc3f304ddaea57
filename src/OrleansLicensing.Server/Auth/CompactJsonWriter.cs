using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// Writes the compact UTF-8 JSON of the signed <c>/auth/*</c> bodies (payload, session-token body,
/// success envelope) into a pooled buffer. The caller writes keys and punctuation as literals, so
/// key order and spacing are visible at the call site and fixed byte for byte.
/// </summary>
/// <remarks>
/// Hand-written rather than <see cref="System.Text.Json.Utf8JsonWriter"/> because no built-in
/// encoder escapes only what RFC 8259 requires: even <c>UnsafeRelaxedJsonEscaping</c> writes
/// emoji and every other non-BMP character, U+00A0, U+2028/9, U+FEFF, private-use and unassigned
/// code points as <c>\uXXXX</c>, while docs/protocol.md §7 asks for raw UTF-8 (the C++ SDK reads
/// values textually). Strings here escape <c>"</c>, <c>\</c> and U+0000–U+001F exactly like
/// JavaScript's <c>JSON.stringify</c> (<c>\b \f \n \r \t</c>, otherwise <c>\u00xx</c>), and write
/// everything else as raw UTF-8. A lone surrogate, which has no UTF-8 form, is written as its
/// <c>\udxxx</c> escape, also as <c>JSON.stringify</c> does.
/// </remarks>
internal sealed class CompactJsonWriter : IDisposable
{
    // Everything a JSON string may not contain raw: the quote, the backslash and C0 controls.
    private static readonly SearchValues<char> MustEscape = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    private const string IsoTimestampFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'";

    private byte[] _buffer;
    private int _length;
    private bool _disposed;

    public CompactJsonWriter(int initialCapacity = 2048)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>The bytes written so far; valid until the next write or <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>The bytes written so far, as memory; valid until the next write or <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    /// <summary>A copy of the bytes written.</summary>
    public byte[] ToArray() => Written.ToArray();

    /// <summary>
    /// The standard base64 of <paramref name="data"/> as a quoted string (base64 has nothing to
    /// escape). Returns where its characters are in <see cref="Written"/>.
    /// </summary>
    public Range Base64String(ReadOnlySpan<byte> data)
    {
        Raw("\""u8);
        var start = _length;
        System.Buffers.Text.Base64.EncodeToUtf8(data, Free(System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(data.Length)), out _, out var written);
        _length += written;
        Raw("\""u8);
        return start..(start + written);
    }

    /// <summary>Writes bytes that are already JSON (keys with their quotes, punctuation).</summary>
    public void Raw(ReadOnlySpan<byte> utf8Json)
    {
        utf8Json.CopyTo(Free(utf8Json.Length));
        _length += utf8Json.Length;
    }

    public void Null() => Raw("null"u8);

    public void Boolean(bool value) => Raw(value ? "true"u8 : "false"u8);

    public void Integer(long value)
    {
        if (!value.TryFormat(Free(20), out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A 64-bit integer did not fit in 20 bytes.");
        }
        _length += written;
    }

    /// <summary>An ISO timestamp (docs/protocol.md §2.4): UTC, <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>, quoted.</summary>
    public void Timestamp(DateTimeOffset value)
    {
        Raw("\""u8);
        if (!value.UtcDateTime.TryFormat(Free(32), out var written, IsoTimestampFormat, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("An ISO timestamp did not fit in 32 bytes.");
        }
        _length += written;
        Raw("\""u8);
    }

    /// <summary>The ISO timestamp of a Unix time in seconds.</summary>
    public void Timestamp(long unixSeconds) => Timestamp(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

    /// <summary>
    /// A number given as JSON text (a number variable keeps the text it was created with). The text
    /// must match RFC 8259's number grammar; anything else would corrupt the signed body.
    /// </summary>
    public void RawNumber(string jsonNumber)
    {
        if (!IsJsonNumber(jsonNumber))
        {
            throw new ArgumentException($"'{jsonNumber}' is not a JSON number.", nameof(jsonNumber));
        }
        Encoding.ASCII.GetBytes(jsonNumber, Free(jsonNumber.Length));
        _length += jsonNumber.Length;
    }

    /// <summary>A quoted, escaped string (see the class remarks for what is escaped).</summary>
    public void String(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Raw("\""u8);
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var special = rest.IndexOfAny(MustEscape);
            WriteUtf8(special < 0 ? rest : rest[..special]);
            if (special < 0)
            {
                break;
            }
            WriteEscape(rest[special]);
            rest = rest[(special + 1)..];
        }
        Raw("\""u8);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }

    internal static bool IsJsonNumber(ReadOnlySpan<char> text)
    {
        var i = 0;
        if (i < text.Length && text[i] == '-') i++;
        if (i >= text.Length) return false;
        if (text[i] == '0')
        {
            i++;
        }
        else if (text[i] is >= '1' and <= '9')
        {
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        else
        {
            return false;
        }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == start) return false;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '+' or '-') i++;
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == start) return false;
        }
        return i == text.Length;
    }

    private void WriteUtf8(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            // At most 3 bytes per UTF-16 unit (a surrogate pair is 4 bytes for 2 units).
            var destination = Free(text.Length * 3);
            var status = Utf8.FromUtf16(text, destination, out var read, out var written, replaceInvalidSequences: false, isFinalBlock: true);
            _length += written;
            text = text[read..];
            if (status == OperationStatus.InvalidData)
            {
                WriteUnicodeEscape(text[0]);
                text = text[1..];
            }
            else if (status != OperationStatus.Done)
            {
                throw new InvalidOperationException($"UTF-8 transcoding stopped with {status}.");
            }
        }
    }

    private void WriteEscape(char c)
    {
        switch (c)
        {
            case '"': Raw("\\\""u8); break;
            case '\\': Raw("\\\\"u8); break;
            case '\b': Raw("\\b"u8); break;
            case '\f': Raw("\\f"u8); break;
            case '\n': Raw("\\n"u8); break;
            case '\r': Raw("\\r"u8); break;
            case '\t': Raw("\\t"u8); break;
            default: WriteUnicodeEscape(c); break;
        }
    }

    private void WriteUnicodeEscape(char c)
    {
        var destination = Free(6);
        destination[0] = (byte)'\\';
        destination[1] = (byte)'u';
        ((ushort)c).TryFormat(destination[2..6], out _, "x4", CultureInfo.InvariantCulture);
        _length += 6;
    }

    /// <summary>The free part of the buffer, grown to at least <paramref name="size"/> bytes.</summary>
    private Span<byte> Free(int size)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_buffer.Length - _length < size)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
            Written.CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        return _buffer.AsSpan(_length);
    }
}
