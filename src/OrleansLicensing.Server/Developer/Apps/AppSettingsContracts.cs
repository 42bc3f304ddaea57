using System.Text.Json;
using OrleansLicensing.Apps;

namespace OrleansLicensing.Server.Developer.Apps;

/// <summary>
/// Body of <c>PUT /v1/apps/{appId}/security</c>: each named list (an array of strings) replaces that
/// list; absent lists stay as they are. Read as raw JSON so every bad entry can be named.
/// </summary>
public sealed record ReplaceSecurityRequest(
    Optional<JsonElement> HwidBlacklist,
    Optional<JsonElement> HwidWhitelist,
    Optional<JsonElement> IpBlacklist,
    Optional<JsonElement> IpWhitelist);

/// <summary>What a security-list entry is.</summary>
public enum SecurityEntryType
{
    /// <summary>A hardware id (exact, case-sensitive, trimmed).</summary>
    Hwid = 0,
    /// <summary>An IP address or CIDR range.</summary>
    Ip = 1,
}

/// <summary>Body of <c>POST</c>/<c>DELETE /v1/apps/{appId}/security/blacklist</c> and <c>…/whitelist</c>.</summary>
/// <param name="Type"><c>hwid</c> or <c>ip</c>.</param>
/// <param name="Value">The HWID, or the IP address / CIDR range.</param>
public sealed record SecurityEntryRequest(SecurityEntryType? Type, string? Value);

/// <summary>An app's security lists on the wire (IP entries canonical).</summary>
public sealed record SecurityListsResponse(string[] HwidBlacklist, string[] HwidWhitelist, string[] IpBlacklist, string[] IpWhitelist)
{
    /// <summary>The wire view of stored lists.</summary>
    public static SecurityListsResponse From(SecurityLists lists) =>
        new(lists.HwidBlacklist, lists.HwidWhitelist, lists.IpBlacklist, lists.IpWhitelist);
}
