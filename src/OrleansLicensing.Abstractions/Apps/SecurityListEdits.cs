namespace OrleansLicensing.Apps;

/// <summary>One of an app's four security lists (docs/protocol.md §12.1).</summary>
public enum SecurityListName
{
    /// <summary>Addresses and ranges whose callers are blocked.</summary>
    IpBlacklist = 0,
    /// <summary>When non-empty, only callers in these addresses and ranges are admitted.</summary>
    IpWhitelist = 1,
    /// <summary>HWIDs that are blocked.</summary>
    HwidBlacklist = 2,
    /// <summary>When non-empty, only these HWIDs are admitted.</summary>
    HwidWhitelist = 3,
}

/// <summary>How an add or remove of one security-list entry ended.</summary>
public enum SecurityListEditStatus
{
    /// <summary>The entry was added or removed, durably.</summary>
    Changed = 0,
    /// <summary>Add: the entry was already on the list; nothing was written.</summary>
    AlreadyListed = 1,
    /// <summary>Remove: the entry was not on the list; nothing was written.</summary>
    NotListed = 2,
    /// <summary>Add: the list holds <see cref="SecurityLists.MaxEntries"/> entries already.</summary>
    Full = 3,
    /// <summary>The app does not exist (never created or deleted).</summary>
    AppNotFound = 4,
}

/// <summary>Outcome of adding or removing one entry; <see cref="Lists"/> are the lists afterwards (null when the app is gone).</summary>
[GenerateSerializer, Immutable]
public sealed record SecurityListEdit(
    [property: Id(0)] SecurityListEditStatus Status,
    [property: Id(1)] SecurityLists? Lists);

/// <summary>Replaces the named lists of an app at once; a <c>null</c> member leaves that list as it is. Entries already canonical.</summary>
[GenerateSerializer, Immutable]
public sealed record SecurityListsReplacement(
    [property: Id(0)] string[]? IpBlacklist,
    [property: Id(1)] string[]? IpWhitelist,
    [property: Id(2)] string[]? HwidBlacklist,
    [property: Id(3)] string[]? HwidWhitelist)
{
    /// <summary>The lists after applying this replacement to <paramref name="current"/>.</summary>
    public SecurityLists ApplyTo(SecurityLists current) => new(
        IpBlacklist ?? current.IpBlacklist,
        IpWhitelist ?? current.IpWhitelist,
        HwidBlacklist ?? current.HwidBlacklist,
        HwidWhitelist ?? current.HwidWhitelist);
}

/// <summary>Access to one list of a <see cref="SecurityLists"/> by name.</summary>
public static class SecurityListAccess
{
    /// <summary>The entries of <paramref name="list"/>.</summary>
    public static string[] Entries(this SecurityLists lists, SecurityListName list) => list switch
    {
        SecurityListName.IpBlacklist => lists.IpBlacklist,
        SecurityListName.IpWhitelist => lists.IpWhitelist,
        SecurityListName.HwidBlacklist => lists.HwidBlacklist,
        SecurityListName.HwidWhitelist => lists.HwidWhitelist,
        _ => throw new ArgumentOutOfRangeException(nameof(list), list, "Unknown security list."),
    };

    /// <summary>A copy with <paramref name="list"/> replaced by <paramref name="entries"/>.</summary>
    public static SecurityLists With(this SecurityLists lists, SecurityListName list, string[] entries) => list switch
    {
        SecurityListName.IpBlacklist => lists with { IpBlacklist = entries },
        SecurityListName.IpWhitelist => lists with { IpWhitelist = entries },
        SecurityListName.HwidBlacklist => lists with { HwidBlacklist = entries },
        SecurityListName.HwidWhitelist => lists with { HwidWhitelist = entries },
        _ => throw new ArgumentOutOfRangeException(nameof(list), list, "Unknown security list."),
    };
}
