using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace OrleansLicensing.Apps;

public sealed class SecurityListsTests
{
    private const string Emoji = "\U0001F511";

    private static SecurityListMatcher Matcher(string[]? ipBlack = null, string[]? ipWhite = null, string[]? hwidBlack = null, string[]? hwidWhite = null) =>
        SecurityListMatcher.Build(new SecurityLists(ipBlack ?? [], ipWhite ?? [], hwidBlack ?? [], hwidWhite ?? []));

    private static IPAddress Ip(string text) => IPAddress.Parse(text);

    // ---- canonical entries (§12.1) --------------------------------------------------------------

    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("::ffff:1.2.3.4", "1.2.3.4")]
    [InlineData("::FFFF:0102:0304", "1.2.3.4")]
    [InlineData("0:0:0:0:0:ffff:1.2.3.4", "1.2.3.4")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    [InlineData("2001:db8::0:1", "2001:db8::1")]
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")]
    [InlineData("2001:0:0:1:0:0:0:1", "2001:0:0:1::1")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]
    [InlineData("1:0:0:0:0:0:0:0", "1::")]
    [InlineData("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0")]
    [InlineData("0:0:0:0:0:0:0:0", "::")]
    [InlineData("::1", "::1")]
    [InlineData("::1.2.3.4", "::102:304")]
    [InlineData("FE80::ABCD", "fe80::abcd")]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("192.168.7.255/23", "192.168.6.0/23")]
    [InlineData("1.2.3.4/32", "1.2.3.4/32")]
    [InlineData("1.2.3.4/0", "0.0.0.0/0")]
    [InlineData("2001:db8::1/32", "2001:db8::/32")]
    [InlineData("2001:DB8:1234:5678::1/64", "2001:db8:1234:5678::/64")]
    [InlineData("fe80::1/10", "fe80::/10")]
    [InlineData("::1/128", "::1/128")]
    [InlineData("ffff::/0", "::/0")]
    [InlineData("::ffff:10.1.2.3/104", "10.0.0.0/8")]
    [InlineData("::ffff:1.2.3.4/128", "1.2.3.4/32")]
    [InlineData("::ffff:1.2.3.4/96", "0.0.0.0/0")]
    [InlineData("::ffff:1.2.3.4/80", "::/80")]
    public void Entries_are_stored_in_canonical_form(string entry, string canonical)
    {
        Assert.True(IpRules.TryCanonicalize(entry, out var result));
        Assert.Equal(canonical, result);
        Assert.True(IpRules.TryCanonicalize(result, out var again));
        Assert.Equal(canonical, again); // canonical form is a fixed point
    }

    [Theory]
    [InlineData("")]
    [InlineData(" 1.2.3.4")]
    [InlineData("1.2.3.4 ")]
    [InlineData("1.2.3.4/33")]
    [InlineData("::/129")]
    [InlineData("::ffff:1.2.3.4/129")]
    [InlineData("1.2.3.4/")]
    [InlineData("1.2.3.4/-1")]
    [InlineData("1.2.3.4/+8")]
    [InlineData("1.2.3.4/08")]
    [InlineData("1.2.3.4/8/8")]
    [InlineData("1.2.3.4/ 8")]
    [InlineData("/8")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.-4")]
    [InlineData("01.2.3.4")]
    [InlineData("1.2.3.04")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("1..3.4")]
    [InlineData("1.2.3.4.")]
    [InlineData("１.2.3.4")]
    [InlineData("host.example")]
    [InlineData("fe80::1%eth0")]
    [InlineData("fe80::1%3")]
    [InlineData("[::1]")]
    [InlineData("[::1]:80")]
    [InlineData("1.2.3.4:80")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1::2::3")]
    [InlineData("12345::")]
    [InlineData("::ffff:1.2.3")]
    [InlineData("::ffff:01.2.3.4")]
    [InlineData("1.2.3.4::")]
    [InlineData("::g")]
    [InlineData(":")]
    [InlineData(":::")]
    public void Entries_that_are_not_addresses_or_ranges_are_refused(string entry)
    {
        Assert.False(IpRules.TryCanonicalize(entry, out var canonical));
        Assert.Null(canonical);
        Assert.False(IpRules.TryParse(entry, out _));
    }

    [Fact]
    public void Null_entry_is_refused()
    {
        Assert.False(IpRules.TryCanonicalize(null, out _));
    }

    [Fact]
    public void Format_writes_addresses_canonically()
    {
        Assert.Equal("1.2.3.4", IpRules.Format(Ip("::ffff:1.2.3.4")));
        Assert.Equal("2001:db8::1", IpRules.Format(Ip("2001:0DB8::0001")));
        Assert.Equal("fe80::1", IpRules.Format(Ip("fe80::1%2")));
        Assert.Equal("::", IpRules.Format(IPAddress.IPv6Any));
    }

    // ---- evaluation order (§12.2) ---------------------------------------------------------------

    [Fact]
    public void Empty_lists_admit_everything()
    {
        Assert.True(SecurityListMatcher.Empty.Admits(Ip("1.2.3.4"), "hw"));
        Assert.True(Matcher().Admits(Ip("2001:db8::1"), "hw"));
        Assert.False(SecurityListMatcher.Empty.IpCovered(Ip("1.2.3.4")));
        Assert.False(SecurityListMatcher.Empty.HwidBlacklisted("hw"));
    }

    [Fact]
    public void A_blacklisted_ip_is_blocked_even_when_whitelisted()
    {
        var matcher = Matcher(ipBlack: ["10.0.0.0/8"], ipWhite: ["10.1.2.3"], hwidWhite: ["hw"]);

        Assert.False(matcher.Admits(Ip("10.1.2.3"), "hw"));
    }

    [Fact]
    public void A_non_empty_ip_whitelist_blocks_every_other_ip()
    {
        var matcher = Matcher(ipWhite: ["192.0.2.0/24", "2001:db8::/32"]);

        Assert.True(matcher.Admits(Ip("192.0.2.77"), "hw"));
        Assert.True(matcher.Admits(Ip("2001:db8:5::1"), "hw"));
        Assert.False(matcher.Admits(Ip("192.0.3.1"), "hw"));
        Assert.False(matcher.Admits(Ip("2001:db9::1"), "hw"));
    }

    [Fact]
    public void A_blacklisted_hwid_is_blocked_even_from_a_whitelisted_ip_and_when_whitelisted()
    {
        var matcher = Matcher(ipWhite: ["1.2.3.4"], hwidBlack: ["bad"], hwidWhite: ["bad", "good"]);

        Assert.False(matcher.Admits(Ip("1.2.3.4"), "bad"));
        Assert.True(matcher.Admits(Ip("1.2.3.4"), "good"));
    }

    [Fact]
    public void A_non_empty_hwid_whitelist_blocks_every_other_hwid()
    {
        var matcher = Matcher(hwidWhite: ["good"]);

        Assert.True(matcher.Admits(Ip("1.2.3.4"), "good"));
        Assert.False(matcher.Admits(Ip("1.2.3.4"), "other"));
    }

    [Fact]
    public void An_ip_block_wins_before_the_hwid_lists_are_consulted()
    {
        var matcher = Matcher(ipBlack: ["1.2.3.4"], hwidWhite: ["good"]);

        Assert.False(matcher.Admits(Ip("1.2.3.4"), "good"));
        Assert.True(matcher.Admits(Ip("1.2.3.5"), "good"));
    }

    [Fact]
    public void Hwids_match_exactly_and_case_sensitively_after_trimming_the_request()
    {
        var matcher = Matcher(hwidBlack: ["ABC", Emoji]);

        Assert.False(matcher.Admits(Ip("1.2.3.4"), "ABC"));
        Assert.False(matcher.Admits(Ip("1.2.3.4"), "  ABC\t"));
        Assert.False(matcher.Admits(Ip("1.2.3.4"), Emoji));
        Assert.True(matcher.Admits(Ip("1.2.3.4"), "abc"));
        Assert.True(matcher.Admits(Ip("1.2.3.4"), "AB"));
        Assert.True(matcher.HwidBlacklisted(" ABC "));
        Assert.False(matcher.HwidBlacklisted("abc"));
    }

    [Fact]
    public void IPv4_entries_never_match_IPv6_callers_and_vice_versa()
    {
        var v4Everything = Matcher(ipBlack: ["0.0.0.0/0"]);
        var v6Everything = Matcher(ipBlack: ["::/0"]);

        Assert.True(v4Everything.Admits(Ip("2001:db8::1"), "hw"));
        Assert.True(v4Everything.Admits(Ip("::1"), "hw"));
        Assert.False(v4Everything.Admits(Ip("203.0.113.1"), "hw"));
        Assert.True(v6Everything.Admits(Ip("203.0.113.1"), "hw"));
        Assert.False(v6Everything.Admits(Ip("2001:db8::1"), "hw"));
        Assert.False(Matcher(ipWhite: ["0.0.0.0/0"]).Admits(Ip("2001:db8::1"), "hw"));
        Assert.False(Matcher(ipWhite: ["::/0"]).Admits(Ip("203.0.113.1"), "hw"));
        // ::1.2.3.4 (IPv4-compatible) is an IPv6 address, not 1.2.3.4.
        Assert.True(Matcher(ipBlack: ["1.2.3.4"]).Admits(Ip("::1.2.3.4"), "hw"));
    }

    [Fact]
    public void IPv4_mapped_callers_are_treated_as_IPv4()
    {
        var matcher = Matcher(ipBlack: ["1.2.3.4", "10.0.0.0/8"]);

        Assert.False(matcher.Admits(Ip("::ffff:1.2.3.4"), "hw"));
        Assert.False(matcher.Admits(Ip("::ffff:10.200.1.1"), "hw"));
        Assert.True(matcher.Admits(Ip("::ffff:1.2.3.5"), "hw"));
        Assert.True(Matcher(ipWhite: ["192.0.2.1"]).Admits(Ip("::ffff:192.0.2.1"), "hw"));
        Assert.True(Matcher(ipBlack: ["::/0"]).Admits(Ip("::ffff:192.0.2.1"), "hw"));
    }

    [Fact]
    public void Ranges_of_every_prefix_length_match_exactly_their_addresses()
    {
        var matcher = Matcher(ipBlack: ["192.168.6.0/23", "172.16.0.0/12", "2001:db8:abcd::/48", "2001:db8::7", "203.0.113.9/32", "2001:db8:ffff::1/128"]);

        Assert.True(matcher.IpCovered(Ip("192.168.6.0")));
        Assert.True(matcher.IpCovered(Ip("192.168.7.255")));
        Assert.False(matcher.IpCovered(Ip("192.168.8.0")));
        Assert.False(matcher.IpCovered(Ip("192.168.5.255")));
        Assert.True(matcher.IpCovered(Ip("172.31.255.255")));
        Assert.False(matcher.IpCovered(Ip("172.32.0.0")));
        Assert.True(matcher.IpCovered(Ip("2001:db8:abcd:ffff::1")));
        Assert.False(matcher.IpCovered(Ip("2001:db8:abce::1")));
        Assert.True(matcher.IpCovered(Ip("2001:db8::7")));
        Assert.False(matcher.IpCovered(Ip("2001:db8::8")));
        Assert.True(matcher.IpCovered(Ip("203.0.113.9")));
        Assert.True(matcher.IpCovered(Ip("::ffff:203.0.113.9")));
        Assert.True(matcher.IpCovered(Ip("2001:db8:ffff::1")));
        Assert.True(matcher.IpCovered(Ip("2001:db8::7%4")));
    }

    [Fact]
    public void Ip_covered_looks_only_at_the_block_list()
    {
        var matcher = Matcher(ipWhite: ["1.2.3.4"]);

        Assert.False(matcher.IpCovered(Ip("1.2.3.4")));
    }

    [Fact]
    public void Building_from_an_invalid_ip_entry_fails_loudly()
    {
        var error = Assert.Throws<ArgumentException>(() => Matcher(ipWhite: ["1.2.3.4", "nonsense"]));
        Assert.Contains("IpWhitelist holds 'nonsense'", error.Message, StringComparison.Ordinal);
    }

    // ---- management validation (limits) ---------------------------------------------------------

    [Fact]
    public void Normalize_canonicalizes_trims_and_drops_duplicates_keeping_order()
    {
        var input = new SecurityLists(
            ["10.1.2.3/8", "::ffff:1.2.3.4", "10.0.0.0/8", "1.2.3.4"],
            ["2001:DB8::1"],
            [" hw-1 ", "hw-2", "hw-1"],
            ["HW", "hw"]);

        Assert.True(SecurityListRules.TryNormalize(input, out var normalized, out var problems));

        Assert.Empty(problems);
        Assert.Equal(["10.0.0.0/8", "1.2.3.4"], normalized.IpBlacklist);
        Assert.Equal(["2001:db8::1"], normalized.IpWhitelist);
        Assert.Equal(["hw-1", "hw-2"], normalized.HwidBlacklist);
        Assert.Equal(["HW", "hw"], normalized.HwidWhitelist);
    }

    [Fact]
    public void Normalize_reports_every_problem_by_list_and_index()
    {
        var input = new SecurityLists(
            ["1.2.3.4", "1.2.3.4/33", null!],
            Enumerable.Range(0, 1001).Select(i => $"10.0.{i / 256}.{i % 256}").ToArray(),
            ["", "   ", new string('h', 257), null!],
            [string.Concat(Enumerable.Repeat(Emoji, 257))]);

        Assert.False(SecurityListRules.TryNormalize(input, out var normalized, out var problems));

        Assert.Null(normalized);
        Assert.Equal(
        [
            "ipBlacklist[1]: must be an IP address or CIDR range",
            "ipBlacklist[2]: required",
            "ipWhitelist: too many entries (max 1000)",
            "hwidBlacklist[0]: must not be empty",
            "hwidBlacklist[1]: must not be empty",
            "hwidBlacklist[2]: too long (max 256 characters)",
            "hwidBlacklist[3]: required",
            "hwidWhitelist[0]: too long (max 256 characters)",
        ], problems);
    }

    [Fact]
    public void Limits_are_inclusive()
    {
        var full = new SecurityLists(
            Enumerable.Range(0, SecurityLists.MaxEntries).Select(i => $"10.0.{i / 256}.{i % 256}").ToArray(),
            [],
            [new string('h', SecurityLists.MaxHwidLength), string.Concat(Enumerable.Repeat(Emoji, SecurityLists.MaxHwidLength)), "x"],
            Enumerable.Range(0, 1000).Select(i => $"hw-{i}").ToArray());

        Assert.Equal(1000, SecurityLists.MaxEntries);
        Assert.Equal(256, SecurityLists.MaxHwidLength);
        Assert.True(SecurityListRules.TryNormalize(full, out var normalized, out _));
        Assert.Equal(1000, normalized.IpBlacklist.Length);
        Assert.Equal(1000, normalized.HwidWhitelist.Length);
    }

    [Fact]
    public void Null_lists_count_as_empty()
    {
        Assert.True(SecurityListRules.TryNormalize(new SecurityLists(null!, null!, null!, null!), out var normalized, out _));
        Assert.Empty(normalized.IpBlacklist);
        Assert.True(SecurityListMatcher.Build(new SecurityLists(null!, null!, null!, null!)).Admits(Ip("1.2.3.4"), "hw"));
    }

    [Theory]
    [InlineData("hw", "hw", null)]
    [InlineData("  hw  ", "hw", null)]
    [InlineData("", null, "must not be empty")]
    [InlineData(" \t ", null, "must not be empty")]
    [InlineData(null, null, "required")]
    public void Single_hwid_entries_are_checked_for_add_and_remove(string? entry, string? normalized, string? problem)
    {
        Assert.Equal(problem is null, SecurityListRules.TryNormalizeHwid(entry, out var result, out var found));
        Assert.Equal(normalized, result);
        Assert.Equal(problem, found);
    }

    [Fact]
    public void Empty_is_four_empty_lists()
    {
        Assert.Empty(SecurityLists.Empty.IpBlacklist);
        Assert.Empty(SecurityLists.Empty.IpWhitelist);
        Assert.Empty(SecurityLists.Empty.HwidBlacklist);
        Assert.Empty(SecurityLists.Empty.HwidWhitelist);
    }

    [Fact]
    public void Lists_round_trip_through_the_orleans_serializer()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var lists = new SecurityLists(["10.0.0.0/8"], ["2001:db8::1"], ["bad"], ["good", Emoji]);

        var copy = serializer.Deserialize<SecurityLists>(serializer.SerializeToArray(lists));

        Assert.NotNull(copy);
        Assert.Equal(lists.IpBlacklist, copy.IpBlacklist);
        Assert.Equal(lists.IpWhitelist, copy.IpWhitelist);
        Assert.Equal(lists.HwidBlacklist, copy.HwidBlacklist);
        Assert.Equal(lists.HwidWhitelist, copy.HwidWhitelist);
        Assert.Equal(FailureMode.Semantic, serializer.Deserialize<FailureMode>(serializer.SerializeToArray(FailureMode.Semantic)));
    }
}
