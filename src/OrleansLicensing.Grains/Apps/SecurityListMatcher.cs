using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace OrleansLicensing.Apps;

/// <summary>
/// An app's <see cref="SecurityLists"/> prepared for the hot path of validate and heartbeat: built
/// once per change of the lists, then every check is a handful of hash lookups (HWIDs and IPs by
/// value; ranges grouped by prefix length, so a caller costs one lookup per distinct prefix length).
/// Immutable and safe to share between threads.
/// </summary>
public sealed class SecurityListMatcher
{
    private readonly IpRangeSet ipBlacklist;
    private readonly IpRangeSet ipWhitelist;
    private readonly HashSet<string> hwidBlacklist;
    private readonly HashSet<string> hwidWhitelist;

    private SecurityListMatcher(IpRangeSet ipBlacklist, IpRangeSet ipWhitelist, HashSet<string> hwidBlacklist, HashSet<string> hwidWhitelist)
    {
        this.ipBlacklist = ipBlacklist;
        this.ipWhitelist = ipWhitelist;
        this.hwidBlacklist = hwidBlacklist;
        this.hwidWhitelist = hwidWhitelist;
    }

    /// <summary>A matcher for four empty lists: admits everything, covers nothing.</summary>
    public static SecurityListMatcher Empty { get; } = Build(SecurityLists.Empty);

    /// <summary>Prepares stored lists for matching. A <see langword="null"/> list counts as empty.</summary>
    /// <param name="lists">The app's lists (normally in stored form, see <see cref="SecurityListRules.TryNormalize"/>).</param>
    /// <returns>The matcher.</returns>
    /// <exception cref="ArgumentException">
    /// An IP entry is not an address or range. Stored lists are validated on write, so this is a
    /// bug; failing loudly beats silently ignoring a block-list entry.
    /// </exception>
    public static SecurityListMatcher Build(SecurityLists lists)
    {
        ArgumentNullException.ThrowIfNull(lists);
        return new SecurityListMatcher(
            IpRangeSet.Build(nameof(SecurityLists.IpBlacklist), lists.IpBlacklist),
            IpRangeSet.Build(nameof(SecurityLists.IpWhitelist), lists.IpWhitelist),
            HwidSet(lists.HwidBlacklist),
            HwidSet(lists.HwidWhitelist));
    }

    /// <summary>
    /// The verdict of docs/protocol.md §12.2 (steps V7, H9), in its order: IP block list, IP allow
    /// list (when non-empty), HWID block list, HWID allow list (when non-empty). A block-list match
    /// wins over any allow-list match. IPv4 entries never match IPv6 callers and vice versa; an
    /// IPv4-mapped caller is treated as IPv4.
    /// </summary>
    /// <param name="callerIp">The caller IP (docs/protocol.md §2.5).</param>
    /// <param name="hwid">The request's HWID (compared trimmed, case-sensitive).</param>
    /// <returns><see langword="true"/> when admitted, <see langword="false"/> for <c>blocked</c>.</returns>
    public bool Admits(IPAddress callerIp, string hwid)
    {
        ArgumentNullException.ThrowIfNull(callerIp);
        ArgumentNullException.ThrowIfNull(hwid);
        var ip = IpRules.Normalize(callerIp);
        if (ipBlacklist.Contains(ip)) return false;
        if (!ipWhitelist.IsEmpty && !ipWhitelist.Contains(ip)) return false;
        var trimmed = hwid.Trim();
        if (hwidBlacklist.Contains(trimmed)) return false;
        if (hwidWhitelist.Count > 0 && !hwidWhitelist.Contains(trimmed)) return false;
        return true;
    }

    /// <summary>
    /// Whether the IP block list already covers an address (an equal entry or a range containing it):
    /// self-ban adds the caller IP only when it is not (docs/protocol.md §10.3).
    /// </summary>
    /// <param name="ip">Any address; IPv4-mapped addresses count as IPv4.</param>
    /// <returns>Whether a block-list entry matches the address.</returns>
    public bool IpCovered(IPAddress ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        return ipBlacklist.Contains(IpRules.Normalize(ip));
    }

    /// <summary>Whether the HWID block list holds the (trimmed) HWID.</summary>
    /// <param name="hwid">The HWID, compared case-sensitively.</param>
    /// <returns>Whether the HWID is on the block list.</returns>
    public bool HwidBlacklisted(string hwid)
    {
        ArgumentNullException.ThrowIfNull(hwid);
        return hwidBlacklist.Contains(hwid.Trim());
    }

    private static HashSet<string> HwidSet(string[]? entries)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries ?? [])
        {
            if (entry is not null) set.Add(entry.Trim());
        }
        return set;
    }

    /// <summary>
    /// Addresses and ranges of one list. Each range is stored as its masked network value in the set
    /// for its prefix length; an address is looked up by masking it with each prefix length present.
    /// </summary>
    private sealed class IpRangeSet
    {
        private readonly (int Prefix, HashSet<uint> Networks)[] v4;
        private readonly (int Prefix, HashSet<UInt128> Networks)[] v6;

        private IpRangeSet((int, HashSet<uint>)[] v4, (int, HashSet<UInt128>)[] v6)
        {
            this.v4 = v4;
            this.v6 = v6;
        }

        public bool IsEmpty => v4.Length == 0 && v6.Length == 0;

        public static IpRangeSet Build(string listName, string[]? entries)
        {
            var v4 = new SortedDictionary<int, HashSet<uint>>();
            var v6 = new SortedDictionary<int, HashSet<UInt128>>();
            foreach (var entry in entries ?? [])
            {
                if (!IpRules.TryParse(entry, out var network))
                {
                    throw new ArgumentException($"{listName} holds '{entry}', which is not an IP address or CIDR range.", nameof(entries));
                }
                var prefix = network.PrefixLength;
                if (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
                {
                    if (!v4.TryGetValue(prefix, out var set)) v4[prefix] = set = [];
                    set.Add(V4(network.BaseAddress) & V4Mask(prefix));
                }
                else
                {
                    if (!v6.TryGetValue(prefix, out var set)) v6[prefix] = set = [];
                    set.Add(V6(network.BaseAddress) & V6Mask(prefix));
                }
            }
            return new IpRangeSet(
                v4.Select(pair => (pair.Key, pair.Value)).ToArray(),
                v6.Select(pair => (pair.Key, pair.Value)).ToArray());
        }

        /// <summary>Whether a normalized address lies in an entry of its own family.</summary>
        public bool Contains(IPAddress address)
        {
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                if (v4.Length == 0) return false;
                var value = V4(address);
                foreach (var (prefix, networks) in v4)
                {
                    if (networks.Contains(value & V4Mask(prefix))) return true;
                }
                return false;
            }
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                if (v6.Length == 0) return false;
                var value = V6(address);
                foreach (var (prefix, networks) in v6)
                {
                    if (networks.Contains(value & V6Mask(prefix))) return true;
                }
            }
            return false;
        }

        private static uint V4(IPAddress address)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            return BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }

        private static UInt128 V6(IPAddress address)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            return new UInt128(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
        }

        private static uint V4Mask(int prefix) => prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);

        private static UInt128 V6Mask(int prefix) => prefix == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefix);
    }
}
