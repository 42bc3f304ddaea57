using System.Net;
using OrleansLicensing.Server.Auth;

namespace OrleansLicensing.Server.WebConsole;

/// <summary>
/// Whether a console request arrived over a channel a Secure cookie may travel on: HTTPS; HTTPS
/// ended at a trusted reverse proxy (<c>Licensing:Auth:TrustedProxies</c>) that says so in
/// <c>X-Forwarded-Proto</c>; or plain HTTP addressed to localhost, which browsers treat as a secure
/// context (the default <c>http://localhost:8080</c>, also through a container's port mapping or an
/// SSH tunnel, where the peer is not a loopback address). The host name is what the browser asked
/// for: a browser elsewhere on the network reaching this server by its name or address is refused,
/// so no key is typed into a page that travels in clear.
/// </summary>
public static class ConsoleTransport
{
    /// <summary>See the type.</summary>
    public static bool IsSecure(HttpContext context, TrustedProxies trustedProxies)
    {
        if (context.Request.IsHttps) return true;
        var peer = context.Connection.RemoteIpAddress;
        if (peer is not null && trustedProxies.Contains(peer))
        {
            var forwarded = context.Request.Headers["X-Forwarded-Proto"].ToString();
            // The proxy nearest to us wrote the last value.
            var last = forwarded.Split(',').Select(p => p.Trim()).LastOrDefault(p => p.Length > 0);
            if (last is not null) return string.Equals(last, "https", StringComparison.OrdinalIgnoreCase);
        }
        return IsLocalHostName(context.Request.Host.Host);
    }

    private static bool IsLocalHostName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
