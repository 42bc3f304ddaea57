using System.Net;
using OrleansLicensing.Server.Auth;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// Whether a console request arrived over a channel a Secure cookie may travel on: HTTPS; HTTPS
/// ended at a trusted reverse proxy (<c>Licensing:Auth:TrustedProxies</c>) that says so in
/// <c>X-Forwarded-Proto</c>; or plain HTTP to localhost from the machine itself, which browsers
/// treat as a secure context (the default <c>http://localhost:8080</c>).
/// </summary>
public static class ConsoleTransport
{
    /// <summary>See the type.</summary>
    public static bool IsSecure(HttpContext context, TrustedProxies trustedProxies)
    {
        if (context.Request.IsHttps) return true;
        var peer = context.Connection.RemoteIpAddress;
        if (peer is null) return false;
        if (trustedProxies.Contains(peer))
        {
            var forwarded = context.Request.Headers["X-Forwarded-Proto"].ToString();
            // The proxy nearest to us wrote the last value.
            var last = forwarded.Split(',').Select(p => p.Trim()).LastOrDefault(p => p.Length > 0);
            if (last is not null) return string.Equals(last, "https", StringComparison.OrdinalIgnoreCase);
        }
        return IPAddress.IsLoopback(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer) && IsLocalHostName(context.Request.Host.Host);
    }

    private static bool IsLocalHostName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
