namespace OrleansLicensing.Accounts;

/// <summary>A list of ids kept in ordinal order, with keyset pages: the state of the small id-index grains.</summary>
internal static class OrderedIds
{
    /// <summary>Inserts <paramref name="id"/> in order; <c>false</c> if it was there already.</summary>
    public static bool Add(List<string> ids, string id)
    {
        var index = ids.BinarySearch(id, StringComparer.Ordinal);
        if (index >= 0) return false;
        ids.Insert(~index, id);
        return true;
    }

    /// <summary>Removes <paramref name="id"/>; <c>false</c> if it was not there.</summary>
    public static bool Remove(List<string> ids, string id)
    {
        var index = ids.BinarySearch(id, StringComparer.Ordinal);
        if (index < 0) return false;
        ids.RemoveAt(index);
        return true;
    }

    /// <summary>Up to <paramref name="limit"/> ids strictly after <paramref name="afterId"/> (from the start when <c>null</c>).</summary>
    public static IReadOnlyList<string> Page(List<string> ids, string? afterId, int limit)
    {
        var start = 0;
        if (afterId is not null)
        {
            var index = ids.BinarySearch(afterId, StringComparer.Ordinal);
            start = index >= 0 ? index + 1 : ~index;
        }
        return ids.GetRange(start, Math.Min(Math.Max(limit, 0), ids.Count - start));
    }
}
