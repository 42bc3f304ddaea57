using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using OrleansLicensing.Webhooks;

namespace OrleansLicensing.Server.Webhooks;

/// <summary>A webhook target the SSRF guard refuses (a private, loopback, … address).</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);

/// <summary>
/// Which webhook URLs may be registered and which addresses may be connected to
/// (<c>Licensing:Webhooks:AllowPrivateTargets</c>). When private targets are not allowed: only
/// <c>https://</c>, and the host must not resolve to a loopback, private (RFC 1918), link-local,
/// unique-local, unspecified, multicast, CGNAT or otherwise non-public address, also in IPv4-mapped,
/// IPv4-compatible, NAT64 and 6to4 forms. Checked at registration and again for every connection
/// (<see cref="ConnectAsync"/>), which resolves once and connects only to the checked addresses, so a
/// DNS answer that changes after registration (rebinding) gains nothing.
/// </summary>
public sealed class WebhookTargetPolicy
{
    private readonly WebhookDeliveryOptions options;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> resolve;

    /// <summary>A policy that resolves names through the system resolver.</summary>
    public WebhookTargetPolicy(WebhookDeliveryOptions options) : this(options, Dns.GetHostAddressesAsync)
    {
    }

    /// <summary>A policy with its own name resolution (tests: a name whose answer changes).</summary>
    internal WebhookTargetPolicy(WebhookDeliveryOptions options, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        this.options = options;
        this.resolve = resolve;
    }

    /// <summary>Longest accepted URL.</summary>
    public const int MaxUrlLength = 2048;

    private static readonly TimeSpan RegistrationLookupTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Whether private targets (and <c>http://</c>) are allowed.</summary>
    public bool AllowPrivateTargets => options.AllowPrivateTargets;

    /// <summary>What is wrong with the shape of <paramref name="url"/> (no DNS), or <c>null</c>.</summary>
    public string? CheckShape(string url)
    {
        if (url.Length > MaxUrlLength) return $"at most {MaxUrlLength} characters";
        if (url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) return "must not contain spaces or control characters";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "must be an absolute URL";
        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            if (!options.AllowPrivateTargets) return "must be https:// (http:// needs Licensing:Webhooks:AllowPrivateTargets)";
        }
        else if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return options.AllowPrivateTargets ? "must be an https:// or http:// URL" : "must be an https:// URL";
        }
        if (string.IsNullOrEmpty(uri.Host)) return "must name a host";
        if (uri.UserInfo.Length > 0) return "must not contain credentials";
        if (uri.Fragment.Length > 0) return "must not contain a fragment";
        if (!options.AllowPrivateTargets)
        {
            // A name's trailing dot (the DNS root) names the same host: "localhost." is localhost.
            var host = uri.IdnHost.Trim('[', ']').TrimEnd('.');
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            {
                return "must not target localhost";
            }
            if (IPAddress.TryParse(host, out var literal) && !IsPublic(literal))
            {
                return $"must not target a private, loopback or link-local address ({literal})";
            }
        }
        return null;
    }

    /// <summary>
    /// The registration check: the shape, then (when private targets are refused) every address the
    /// host resolves to now. A host that does not resolve yet is accepted; delivery re-checks.
    /// </summary>
    public async Task<string?> CheckForRegistrationAsync(string url, CancellationToken cancellationToken)
    {
        if (CheckShape(url) is { } problem) return problem;
        if (options.AllowPrivateTargets) return null;
        var host = new Uri(url).IdnHost.Trim('[', ']');
        if (IPAddress.TryParse(host, out _)) return null; // checked by shape
        IPAddress[] addresses;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RegistrationLookupTimeout);
            addresses = await resolve(host, timeout.Token);
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        return addresses.FirstOrDefault(a => !IsPublic(a)) is { } refused
            ? $"must not target a private, loopback or link-local address ({host} resolves to {refused})"
            : null;
    }

    /// <summary>
    /// <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host once, refuses (unless allowed)
    /// if any address is not public, then connects to those addresses only.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolve(host, cancellationToken);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        if (!options.AllowPrivateTargets && addresses.FirstOrDefault(a => !IsPublic(a)) is { } refused)
        {
            throw new WebhookTargetRefusedException($"target address {refused} is not public (Licensing:Webhooks:AllowPrivateTargets is false)");
        }

        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException error)
            {
                socket.Dispose();
                last = error;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    /// <summary>Whether <paramref name="address"/> is a public unicast address.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return !(b[0] == 0                                  // 0.0.0.0/8 "this network", unspecified
                || b[0] == 10                                   // RFC 1918
                || b[0] == 127                                  // loopback
                || (b[0] == 100 && (b[1] & 0xC0) == 64)         // 100.64.0.0/10 CGNAT
                || (b[0] == 169 && b[1] == 254)                 // link-local (cloud metadata)
                || (b[0] == 172 && (b[1] & 0xF0) == 16)         // RFC 1918
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)      // 192.0.0.0/24 IETF protocol assignments
                || (b[0] == 192 && b[1] == 168)                 // RFC 1918
                || (b[0] == 198 && (b[1] & 0xFE) == 18)         // 198.18.0.0/15 benchmarking
                || b[0] >= 224);                                // multicast, reserved, broadcast
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;

        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback)) return false;
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal) return false;
        var span = b.AsSpan();
        // IPv4-compatible ::a.b.c.d (deprecated) and NAT64 64:ff9b::/96 carry an IPv4 address in the last 4 bytes.
        if (span[..12].IndexOfAnyExcept((byte)0) < 0 || (span[..4].SequenceEqual(new byte[] { 0, 0x64, 0xff, 0x9b }) && span[4..12].IndexOfAnyExcept((byte)0) < 0))
        {
            return IsPublic(new IPAddress(span[12..]));
        }
        if (b[0] == 0x20 && b[1] == 0x02) return IsPublic(new IPAddress(span[2..6])); // 6to4 2002::/16
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) return false;     // Teredo: the embedded address is obscured
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false; // documentation 2001:db8::/32
        return true;
    }
}
