using System.Net;
using Microsoft.AspNetCore.Http;

namespace OrleansLicensing.Server.Auth;

public sealed class CallerIpTests
{
    private static readonly TrustedProxies Proxies = TrustedProxies.Create(["10.0.0.0/8", "192.0.2.1", "2001:db8:ffff::/48"]);

    private static string Resolve(string peer, params string[] headers) =>
        CallerIp.Resolve(IPAddress.Parse(peer), headers, Proxies).ToString();

    [Fact]
    public void An_untrusted_peer_is_the_caller_whatever_it_forwards()
    {
        Assert.Equal("203.0.113.9", Resolve("203.0.113.9", "198.51.100.1"));
        Assert.Equal("203.0.113.9", CallerIp.Resolve(IPAddress.Parse("203.0.113.9"), ["198.51.100.1"], TrustedProxies.None).ToString());
    }

    [Fact]
    public void A_trusted_peer_without_the_header_is_the_caller()
    {
        Assert.Equal("10.0.0.2", Resolve("10.0.0.2"));
    }

    [Fact]
    public void A_trusted_peer_forwards_the_caller()
    {
        Assert.Equal("203.0.113.7", Resolve("10.0.0.2", "203.0.113.7"));
    }

    [Fact]
    public void Addresses_are_walked_from_the_right_skipping_trusted_proxies()
    {
        Assert.Equal("203.0.113.7", Resolve("10.0.0.2", "198.51.100.1, 203.0.113.7, 10.9.9.9, 192.0.2.1"));
    }

    [Fact]
    public void Addresses_left_of_the_first_untrusted_one_are_not_believed()
    {
        // The client wrote "6.6.6.6" itself; only the proxy's view of the client counts.
        Assert.Equal("203.0.113.7", Resolve("10.0.0.2", "6.6.6.6, 203.0.113.7"));
        Assert.Equal("203.0.113.7", Resolve("10.0.0.2", "garbage, 203.0.113.7"));
    }

    [Fact]
    public void Every_header_instance_is_read_in_order()
    {
        Assert.Equal("203.0.113.7", Resolve("10.0.0.2", "198.51.100.1", "203.0.113.7, 10.0.0.3"));
        Assert.Equal("198.51.100.1", Resolve("10.0.0.2", "198.51.100.1, 10.0.0.4", "10.0.0.3"));
    }

    [Theory]
    [InlineData("10.0.0.3")]
    [InlineData("10.0.0.3, 192.0.2.1")]
    [InlineData("")]
    [InlineData(" , ")]
    [InlineData("unknown")]
    [InlineData("203.0.113.7, not-an-ip")]
    [InlineData("203.0.113.7,,")]
    [InlineData("1")]
    [InlineData("010.0.0.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("203.0.113.7:99999")]
    [InlineData("203.0.113.7:65536")]
    [InlineData("203.0.113.7:")]
    [InlineData("203.0.113.7:-1")]
    [InlineData("[2001:db8::1")]
    [InlineData("2001:db8::1]:80")]
    public void Only_trusted_or_unparsable_forwarding_falls_back_to_the_peer(string header)
    {
        Assert.Equal("10.0.0.2", Resolve("10.0.0.2", header));
    }

    [Fact]
    public void IPv4_mapped_addresses_become_IPv4_everywhere()
    {
        // A mapped peer inside a trusted IPv4 range is trusted; a mapped forwarded address is returned as IPv4.
        Assert.Equal("203.0.113.7", Resolve("::ffff:10.0.0.2", "::ffff:203.0.113.7"));
        Assert.Equal("203.0.113.7", Resolve("::ffff:10.0.0.2", "203.0.113.7, ::ffff:10.1.1.1"));
        Assert.Equal("203.0.113.9", Resolve("::ffff:203.0.113.9"));
        Assert.Equal("10.0.0.2", Resolve("::ffff:10.0.0.2", "::ffff:10.0.0.3"));
    }

    [Fact]
    public void IPv6_proxies_and_callers_work_alike()
    {
        Assert.Equal("2606:4700::1", Resolve("2001:db8:ffff::5", "2606:4700::1, 2001:db8:ffff::6"));
        Assert.Equal("2001:db8:fffe::5", Resolve("2001:db8:fffe::5", "2606:4700::1"));
    }

    [Fact]
    public void IPv4_ranges_do_not_trust_IPv6_peers()
    {
        var proxies = TrustedProxies.Create(["0.0.0.0/0"]);

        Assert.Equal("2001:db8::1", CallerIp.Resolve(IPAddress.Parse("2001:db8::1"), ["203.0.113.7"], proxies).ToString());
        Assert.Equal("2606:4700::1", CallerIp.Resolve(IPAddress.Parse("::ffff:10.0.0.1"), ["2606:4700::1, 203.0.113.7"], proxies).ToString());
    }

    [Theory]
    [InlineData("203.0.113.7:4711", "203.0.113.7")]
    [InlineData("203.0.113.7:65535", "203.0.113.7")]
    [InlineData("[2606:4700::1]:443", "2606:4700::1")]
    [InlineData("[2606:4700::1]", "2606:4700::1")]
    [InlineData("  203.0.113.7\t", "203.0.113.7")]
    public void Forwarded_addresses_may_carry_a_port_or_brackets(string element, string expected)
    {
        Assert.Equal(expected, Resolve("10.0.0.2", element));
    }

    [Fact]
    public void Peer_zone_ids_are_dropped()
    {
        Assert.Equal("fe80::1", CallerIp.Resolve(IPAddress.Parse("fe80::1%3"), [], TrustedProxies.None).ToString());
    }

    [Fact]
    public void Http_context_overload_reads_the_connection_and_every_header_instance()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.0.0.2");
        context.Request.Headers.Append("X-Forwarded-For", "198.51.100.1");
        context.Request.Headers.Append("X-Forwarded-For", "203.0.113.7, 10.0.0.3");

        Assert.Equal(IPAddress.Parse("203.0.113.7"), CallerIp.Resolve(context, Proxies));

        var local = new DefaultHttpContext();
        Assert.Equal(IPAddress.Loopback, CallerIp.Resolve(local, TrustedProxies.None));
    }

    [Fact]
    public void Trusted_proxies_come_from_configuration_strings()
    {
        Assert.True(TrustedProxies.TryCreate([" 10.0.0.0/8 ", "::1", "::ffff:172.16.0.0/108"], out var proxies, out _));
        Assert.Equal(3, proxies.Count);
        Assert.True(proxies.Contains(IPAddress.Parse("10.200.0.1")));
        Assert.True(proxies.Contains(IPAddress.Parse("::1")));
        Assert.True(proxies.Contains(IPAddress.Parse("172.31.255.255")));
        Assert.False(proxies.Contains(IPAddress.Parse("172.32.0.0")));
        Assert.False(proxies.Contains(IPAddress.Parse("127.0.0.1")));
        Assert.True(TrustedProxies.TryCreate([], out var none, out _));
        Assert.Equal(0, none.Count);
    }

    [Theory]
    [InlineData("proxy.internal")]
    [InlineData("10.0.0.0/33")]
    [InlineData("::/129")]
    [InlineData("10.0.0")]
    [InlineData("")]
    public void Invalid_trusted_proxy_entries_are_refused_with_a_readable_message(string entry)
    {
        Assert.False(TrustedProxies.TryCreate(["127.0.0.1", entry], out _, out var invalid));
        Assert.Equal(entry, invalid);
        var error = Assert.Throws<FormatException>(() => TrustedProxies.Create([entry]));
        Assert.Equal($"Licensing:Auth:TrustedProxies: '{entry}' is not an IP address or CIDR range.", error.Message);
    }
}
