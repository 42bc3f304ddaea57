namespace OrleansLicensing.Apps;

/// <summary>
/// An app's four security lists (docs/protocol.md §12.1), as stored: IP entries in canonical form,
/// HWID entries trimmed, at most <see cref="MaxEntries"/> each. The grains check and canonicalize
/// them (<c>SecurityListRules</c>) and evaluate them (<c>SecurityListMatcher</c>); this record is
/// only the data they exchange.
/// </summary>
/// <param name="IpBlacklist">Addresses and CIDR ranges whose callers are blocked.</param>
/// <param name="IpWhitelist">When non-empty, only callers in these addresses and ranges are admitted.</param>
/// <param name="HwidBlacklist">HWIDs that are blocked (exact, case-sensitive).</param>
/// <param name="HwidWhitelist">When non-empty, only these HWIDs are admitted.</param>
[GenerateSerializer, Immutable]
public sealed record SecurityLists(
    [property: Id(0)] string[] IpBlacklist,
    [property: Id(1)] string[] IpWhitelist,
    [property: Id(2)] string[] HwidBlacklist,
    [property: Id(3)] string[] HwidWhitelist)
{
    /// <summary>Most entries a single list may hold.</summary>
    public const int MaxEntries = 1000;

    /// <summary>Longest HWID entry, in Unicode code points.</summary>
    public const int MaxHwidLength = 256;

    /// <summary>Four empty lists: everything is admitted.</summary>
    public static SecurityLists Empty { get; } = new([], [], [], []);
}
