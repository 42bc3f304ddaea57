using System.Diagnostics.CodeAnalysis;

namespace OrleansLicensing.Apps;

/// <summary>
/// Checks the security lists a developer sends (docs/protocol.md §12.1) and returns their stored
/// form (<see cref="SecurityLists"/>): IP entries canonicalized by <see cref="IpRules"/>, HWID
/// entries trimmed.
/// </summary>
public static class SecurityListRules
{
    /// <summary>
    /// Checks lists given to the management API and returns their stored form: IP entries
    /// canonicalized, HWID entries trimmed, duplicates (after that) dropped keeping the first.
    /// A <see langword="null"/> list counts as empty.
    /// </summary>
    /// <param name="lists">The lists as received.</param>
    /// <param name="normalized">The stored form when there are no problems.</param>
    /// <param name="problems">
    /// One <c>&lt;list&gt;: &lt;problem&gt;</c> or <c>&lt;list&gt;[i]: &lt;problem&gt;</c> line per problem, in list
    /// order (<c>ipBlacklist, ipWhitelist, hwidBlacklist, hwidWhitelist</c>); empty on success.
    /// </param>
    /// <returns>Whether the lists are valid.</returns>
    public static bool TryNormalize(SecurityLists lists, [MaybeNullWhen(false)] out SecurityLists normalized, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var found = new List<string>();
        var ipBlacklist = NormalizeList("ipBlacklist", lists.IpBlacklist, isIp: true, found);
        var ipWhitelist = NormalizeList("ipWhitelist", lists.IpWhitelist, isIp: true, found);
        var hwidBlacklist = NormalizeList("hwidBlacklist", lists.HwidBlacklist, isIp: false, found);
        var hwidWhitelist = NormalizeList("hwidWhitelist", lists.HwidWhitelist, isIp: false, found);
        problems = found;
        normalized = found.Count == 0 ? new SecurityLists(ipBlacklist, ipWhitelist, hwidBlacklist, hwidWhitelist) : null;
        return normalized is not null;
    }

    /// <summary>
    /// Checks one HWID entry (trimmed, 1–<see cref="SecurityLists.MaxHwidLength"/> code points) for the add/remove
    /// operations of the management API.
    /// </summary>
    /// <param name="entry">The entry as received.</param>
    /// <param name="normalized">The trimmed entry when valid.</param>
    /// <param name="problem">When invalid: <c>required</c>, <c>must not be empty</c> or <c>too long (max 256 characters)</c>.</param>
    /// <returns>Whether the entry is valid.</returns>
    public static bool TryNormalizeHwid(string? entry, [MaybeNullWhen(false)] out string normalized, [MaybeNullWhen(true)] out string problem)
    {
        normalized = null;
        if (entry is null)
        {
            problem = "required";
            return false;
        }
        var trimmed = entry.Trim();
        if (trimmed.Length == 0)
        {
            problem = "must not be empty";
            return false;
        }
        if (CodePoints(trimmed) > SecurityLists.MaxHwidLength)
        {
            problem = $"too long (max {SecurityLists.MaxHwidLength} characters)";
            return false;
        }
        normalized = trimmed;
        problem = null;
        return true;
    }

    private static string[] NormalizeList(string name, string[]? entries, bool isIp, List<string> problems)
    {
        if (entries is null || entries.Length == 0) return [];
        if (entries.Length > SecurityLists.MaxEntries)
        {
            problems.Add($"{name}: too many entries (max {SecurityLists.MaxEntries})");
            return [];
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>(entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            string? value = null;
            string? problem;
            if (!isIp)
            {
                TryNormalizeHwid(entries[i], out value, out problem);
            }
            else if (entries[i] is null)
            {
                problem = "required";
            }
            else
            {
                problem = IpRules.TryCanonicalize(entries[i], out value) ? null : "must be an IP address or CIDR range";
            }
            if (problem is not null)
            {
                problems.Add($"{name}[{i}]: {problem}");
            }
            else if (seen.Add(value!))
            {
                result.Add(value!);
            }
        }
        return [.. result];
    }

    private static int CodePoints(string text)
    {
        var count = text.Length;
        for (var i = 0; i + 1 < text.Length; i++)
        {
            if (char.IsSurrogatePair(text[i], text[i + 1])) count--;
        }
        return count;
    }
}
