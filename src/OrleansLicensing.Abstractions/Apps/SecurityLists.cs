namespace OrleansLicensing.Apps;

/// <summary>PLACEHOLDER until the security-list work lands.</summary>
[GenerateSerializer, Immutable]
public sealed record SecurityLists(
    [property: Id(0)] string[] IpBlacklist,
    [property: Id(1)] string[] IpWhitelist,
    [property: Id(2)] string[] HwidBlacklist,
    [property: Id(3)] string[] HwidWhitelist)
{
    /// <summary>No entries.</summary>
    public static readonly SecurityLists Empty = new([], [], [], []);
}
