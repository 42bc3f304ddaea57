using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansLicensing.Apps;

/// <summary>
/// The one parser for IP addresses and CIDR ranges of the auth surface (docs/protocol.md §12.1):
/// security-list entries, trusted proxies and forwarded addresses. Stricter than
/// <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>, which also takes forms such as
/// <c>1</c>, <c>0x7f.1</c> or <c>010.0.0.1</c> (octal) that a person typing a block list does not mean.
/// </summary>
public static class IpRules
{
    /// <summary>
    /// Checks one IP-list entry and returns its stored form: an IPv4 dotted quad or an IPv6 address in
    /// any RFC 4291 text form, optionally followed by <c>/n</c> (0–32 for IPv4, 0–128 for IPv6).
    /// The canonical form writes IPv4-mapped IPv6 as IPv4 (a mapped range of prefix ≥ 96 becomes the
    /// IPv4 range), IPv6 in RFC 5952 form, and clears host bits (<c>10.1.2.3/8</c> → <c>10.0.0.0/8</c>).
    /// A bare address stays without <c>/n</c>; an explicit prefix is kept.
    /// </summary>
    /// <param name="entry">The entry as given (no surrounding white space allowed).</param>
    /// <param name="canonical">The stored form when the entry is valid.</param>
    /// <returns>Whether the entry is a valid address or range.</returns>
    public static bool TryCanonicalize(string? entry, [MaybeNullWhen(false)] out string canonical)
    {
        if (TryParseEntry(entry, out var network, out var hasPrefix))
        {
            canonical = hasPrefix
                ? Format(network.BaseAddress) + "/" + network.PrefixLength.ToString(CultureInfo.InvariantCulture)
                : Format(network.BaseAddress);
            return true;
        }
        canonical = null;
        return false;
    }

    /// <summary>
    /// Parses an entry as <see cref="TryCanonicalize"/> does into the range it covers; a bare address
    /// is a /32 (IPv4) or /128 (IPv6) range.
    /// </summary>
    /// <param name="entry">The entry as given.</param>
    /// <param name="network">The canonical range when the entry is valid.</param>
    /// <returns>Whether the entry is a valid address or range.</returns>
    public static bool TryParse(string? entry, out IPNetwork network) => TryParseEntry(entry, out network, out _);

    /// <summary>
    /// Parses one address (no prefix, no zone, no brackets, no port) strictly and normalizes it
    /// (<see cref="Normalize"/>).
    /// </summary>
    /// <param name="text">An IPv4 dotted quad or an IPv6 address in RFC 4291 text form.</param>
    /// <param name="address">The normalized address when valid.</param>
    /// <returns>Whether the text is a valid address.</returns>
    public static bool TryParseAddress(ReadOnlySpan<char> text, [MaybeNullWhen(false)] out IPAddress address)
    {
        if (TryParseStrict(text, out var parsed))
        {
            address = Normalize(parsed);
            return true;
        }
        address = null;
        return false;
    }

    /// <summary>
    /// The form every comparison uses: an IPv4-mapped IPv6 address becomes the IPv4 address, and an
    /// IPv6 zone (scope id) is dropped.
    /// </summary>
    /// <param name="address">Any address.</param>
    /// <returns>The normalized address (the same instance when nothing changes).</returns>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            return new IPAddress(bytes);
        }
        return address;
    }

    /// <summary>
    /// Canonical text of an address: IPv4 as a dotted quad, IPv6 per RFC 5952 §4 (lowercase, no
    /// leading zeros, the longest run of two or more zero groups — the first on a tie — as <c>::</c>).
    /// IPv4-mapped addresses are written as IPv4.
    /// </summary>
    /// <param name="address">Any address.</param>
    /// <returns>The canonical text.</returns>
    public static string Format(IPAddress address)
    {
        address = Normalize(address);
        if (address.AddressFamily == AddressFamily.InterNetwork) return address.ToString();

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        Span<int> groups = stackalloc int[8];
        for (var i = 0; i < 8; i++) groups[i] = (bytes[2 * i] << 8) | bytes[2 * i + 1];

        int bestStart = -1, bestLength = 0;
        for (var i = 0; i < 8;)
        {
            if (groups[i] != 0) { i++; continue; }
            var start = i;
            while (i < 8 && groups[i] == 0) i++;
            if (i - start > bestLength) (bestStart, bestLength) = (start, i - start);
        }
        if (bestLength < 2) bestStart = -1;

        var text = new StringBuilder(39);
        for (var i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                text.Append("::");
                i += bestLength - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLength) text.Append(':');
            text.Append(groups[i].ToString("x", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static bool TryParseEntry(string? entry, out IPNetwork network, out bool hasPrefix)
    {
        network = default;
        hasPrefix = false;
        if (string.IsNullOrEmpty(entry)) return false;

        var slash = entry.IndexOf('/');
        hasPrefix = slash >= 0;
        var addressText = hasPrefix ? entry.AsSpan(0, slash) : entry.AsSpan();
        if (!TryParseStrict(addressText, out var address)) return false;

        var isV4 = address.AddressFamily == AddressFamily.InterNetwork;
        var bits = isV4 ? 32 : 128;
        var prefix = bits;
        if (hasPrefix && !TryParsePrefix(entry.AsSpan(slash + 1), bits, out prefix)) return false;

        address = ClearHostBits(address, prefix);
        if (!isV4 && address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }
        network = new IPNetwork(address, prefix);
        return true;
    }

    /// <summary>One to three decimal digits, no sign, no leading zero, at most <paramref name="bits"/>.</summary>
    private static bool TryParsePrefix(ReadOnlySpan<char> text, int bits, out int prefix)
    {
        prefix = 0;
        if (text.Length is 0 or > 3 || (text.Length > 1 && text[0] == '0')) return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
            prefix = prefix * 10 + (c - '0');
        }
        return prefix <= bits;
    }

    private static bool TryParseStrict(ReadOnlySpan<char> text, [MaybeNullWhen(false)] out IPAddress address)
    {
        address = null;
        if (text.IndexOf(':') < 0)
        {
            Span<byte> quad = stackalloc byte[4];
            if (!TryParseDottedQuad(text, quad)) return false;
            address = new IPAddress(quad);
            return true;
        }

        // IPv6: only hex digits, colons and (in a trailing embedded IPv4 part) dots. This keeps out
        // zones (%eth0), brackets, ports and white space, which IPAddress.TryParse would accept.
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c) && c is not ':' and not '.') return false;
        }
        var firstDot = text.IndexOf('.');
        if (firstDot >= 0)
        {
            var lastColon = text.LastIndexOf(':');
            if (firstDot < lastColon) return false;
            Span<byte> embedded = stackalloc byte[4];
            if (!TryParseDottedQuad(text[(lastColon + 1)..], embedded)) return false;
        }
        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6) return false;
        address = parsed;
        return true;
    }

    /// <summary>Exactly four decimal parts 0–255, no leading zeros (which some parsers read as octal).</summary>
    private static bool TryParseDottedQuad(ReadOnlySpan<char> text, Span<byte> quad)
    {
        var part = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.') continue;
            if (part == 4) return false;
            var digits = text[start..i];
            if (digits.Length is 0 or > 3 || (digits.Length > 1 && digits[0] == '0')) return false;
            var value = 0;
            foreach (var c in digits)
            {
                if (!char.IsAsciiDigit(c)) return false;
                value = value * 10 + (c - '0');
            }
            if (value > 255) return false;
            quad[part++] = (byte)value;
            start = i + 1;
        }
        return part == 4;
    }

    private static IPAddress ClearHostBits(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        for (var bit = prefix; bit < length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        return new IPAddress(bytes);
    }
}
