using System.Diagnostics.CodeAnalysis;
using System.Net;
using OrleansLicensing.Apps;

namespace OrleansLicensing.Server.Auth;

/// <summary>
/// The reverse proxies whose <c>X-Forwarded-For</c> is believed (<c>Licensing:Auth:TrustedProxies</c>,
/// docs/protocol.md §1.2): addresses and CIDR ranges, in the syntax of security-list entries.
/// </summary>
public sealed class TrustedProxies
{
    private readonly IPNetwork[] networks;

    private TrustedProxies(IPNetwork[] networks) => this.networks = networks;

    /// <summary>No trusted proxies: the caller IP is always the TCP peer.</summary>
    public static TrustedProxies None { get; } = new([]);

    /// <summary>How many entries were configured.</summary>
    public int Count => networks.Length;

    /// <summary>Builds the set from configuration strings (surrounding white space is ignored).</summary>
    /// <param name="entries">IP addresses or CIDR ranges, e.g. <c>10.0.0.0/8</c>, <c>::1</c>.</param>
    /// <param name="proxies">The set when every entry is valid.</param>
    /// <param name="invalidEntry">The first entry that is not an address or range.</param>
    /// <returns>Whether every entry is valid.</returns>
    public static bool TryCreate(IEnumerable<string> entries, [MaybeNullWhen(false)] out TrustedProxies proxies, [MaybeNullWhen(true)] out string invalidEntry)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var networks = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            if (!IpRules.TryParse(entry?.Trim(), out var network))
            {
                proxies = null;
                invalidEntry = entry ?? "";
                return false;
            }
            networks.Add(network);
        }
        proxies = new TrustedProxies([.. networks]);
        invalidEntry = null;
        return true;
    }

    /// <summary>Builds the set from configuration strings, or fails with one readable message.</summary>
    /// <param name="entries">IP addresses or CIDR ranges.</param>
    /// <returns>The set.</returns>
    /// <exception cref="FormatException">An entry is not an address or range.</exception>
    public static TrustedProxies Create(IEnumerable<string> entries) =>
        TryCreate(entries, out var proxies, out var invalid)
            ? proxies
            : throw new FormatException($"Licensing:Auth:TrustedProxies: '{invalid}' is not an IP address or CIDR range.");

    /// <summary>Whether an address lies in a trusted entry (IPv4-mapped addresses count as IPv4).</summary>
    /// <param name="address">Any address.</param>
    /// <returns>Whether the address is a trusted proxy.</returns>
    public bool Contains(IPAddress address)
    {
        if (networks.Length == 0) return false;
        var normalized = IpRules.Normalize(address);
        foreach (var network in networks)
        {
            // IPNetwork.Contains is false across address families, which is what §12.1 wants here too.
            if (network.BaseAddress.AddressFamily == normalized.AddressFamily && network.Contains(normalized)) return true;
        }
        return false;
    }
}

/// <summary>The caller IP of docs/protocol.md §2.5.</summary>
public static class CallerIp
{
    /// <summary>The header read when the peer is a trusted proxy.</summary>
    public const string ForwardedForHeader = "X-Forwarded-For";

    /// <summary>
    /// The caller IP: the TCP peer, unless the peer is a trusted proxy; then the addresses of every
    /// <c>X-Forwarded-For</c> instance (comma-separated, in order) are walked from right to left,
    /// trusted ones skipped, and the first untrusted one is the caller. An absent header, an
    /// unparsable element before an untrusted address is found, or only trusted addresses → the peer.
    /// Results are normalized: IPv4-mapped IPv6 becomes IPv4.
    /// </summary>
    /// <param name="peer">The TCP peer address.</param>
    /// <param name="xForwardedForHeaderValues">Every instance of the header, in order (may be empty).</param>
    /// <param name="trusted">The trusted proxies.</param>
    /// <returns>The caller IP.</returns>
    public static IPAddress Resolve(IPAddress peer, IEnumerable<string?> xForwardedForHeaderValues, TrustedProxies trusted)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(trusted);
        peer = IpRules.Normalize(peer);
        if (xForwardedForHeaderValues is null || !trusted.Contains(peer)) return peer;

        var elements = new List<string>();
        foreach (var value in xForwardedForHeaderValues)
        {
            if (value is not null) elements.AddRange(value.Split(','));
        }
        for (var i = elements.Count - 1; i >= 0; i--)
        {
            // Everything left of an element we cannot read is unverifiable: fall back to the peer.
            if (!TryParseForwardedAddress(elements[i].AsSpan().Trim(), out var address)) return peer;
            if (!trusted.Contains(address)) return address;
        }
        return peer;
    }

    /// <summary>
    /// <see cref="Resolve(IPAddress, IEnumerable{string?}, TrustedProxies)"/> for a request. A connection
    /// without a peer address (in-process or Unix-socket hosting) counts as loopback.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="trusted">The trusted proxies.</param>
    /// <returns>The caller IP.</returns>
    public static IPAddress Resolve(HttpContext context, TrustedProxies trusted)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Resolve(context.Connection.RemoteIpAddress ?? IPAddress.Loopback, context.Request.Headers[ForwardedForHeader], trusted);
    }

    /// <summary>
    /// One <c>X-Forwarded-For</c> element: an address, or an address with a port as some proxies
    /// write it (<c>203.0.113.7:4711</c>, <c>[2001:db8::1]:443</c>, <c>[2001:db8::1]</c>).
    /// </summary>
    private static bool TryParseForwardedAddress(ReadOnlySpan<char> element, [MaybeNullWhen(false)] out IPAddress address)
    {
        if (element.StartsWith('['))
        {
            var close = element.IndexOf(']');
            address = null;
            return close > 0
                && (close == element.Length - 1 || IsPort(element[(close + 1)..]))
                && IpRules.TryParseAddress(element[1..close], out address);
        }
        var colon = element.IndexOf(':');
        if (colon >= 0 && colon == element.LastIndexOf(':') && IsPort(element[colon..]))
        {
            return IpRules.TryParseAddress(element[..colon], out address); // IPv4 with a port
        }
        return IpRules.TryParseAddress(element, out address);
    }

    /// <summary><c>:</c> followed by a decimal port number 0–65535.</summary>
    private static bool IsPort(ReadOnlySpan<char> text) =>
        text.Length is >= 2 and <= 6
        && text[0] == ':'
        && !text[1..].ContainsAnyExceptInRange('0', '9')
        && int.Parse(text[1..], System.Globalization.CultureInfo.InvariantCulture) <= ushort.MaxValue;
}
