using System.Security.Cryptography;

namespace OrleansLicensing;

/// <summary>
/// Public resource ids such as <c>acc_01jd3…</c>: a type prefix, then 26 Crockford base32 characters
/// (48-bit millisecond timestamp + 80 random bits). Ids of one type sort by creation time, which
/// gives keyset pagination a stable order; the prefix keeps Orleans from parsing them as numbers.
/// </summary>
public static class ResourceId
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

    /// <summary>A new id with the given prefix (without the underscore).</summary>
    public static string New(string prefix, DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[16];
        var millis = (ulong)now.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)(millis & 0xFF);
            millis >>= 8;
        }
        RandomNumberGenerator.Fill(bytes[6..]);

        Span<char> text = stackalloc char[26];
        // 128 bits as 26 base32 digits, most significant first (the first digit carries 3 bits).
        var high = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var low = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        var value = new UInt128(high, low);
        for (var i = 25; i >= 0; i--)
        {
            text[i] = Alphabet[(int)(ulong)(value & 31)];
            value >>= 5;
        }
        return $"{prefix}_{text}";
    }

    /// <summary>Whether <paramref name="id"/> has the shape of an id with <paramref name="prefix"/>.</summary>
    public static bool IsWellFormed(string? id, string prefix)
    {
        if (id is null || id.Length != prefix.Length + 27 || !id.StartsWith(prefix, StringComparison.Ordinal) || id[prefix.Length] != '_')
        {
            return false;
        }
        foreach (var c in id.AsSpan(prefix.Length + 1))
        {
            if (!Alphabet.Contains(c)) return false;
        }
        return true;
    }
}
